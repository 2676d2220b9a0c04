package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// buildxVersion is the buildx the tests build: the one whose BuildKit
// matches go.mod's.
const buildxVersion = "v0.38.2"

// buildxConfig returns a Docker config directory whose cli-plugins hold
// docker-buildx, built from the module proxy in a module of its own (the
// first time; kept in the user's cache dir, by version, after that), or
// BUILDSCOPE_BUILDX when set, or the one make builds into bin/.
func buildxConfig(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		requireDocker(t) // fails under make test, else skips
	}
	bin := os.Getenv("BUILDSCOPE_BUILDX")
	if p, err := filepath.Abs("../../bin/docker-buildx"); bin == "" && err == nil {
		if _, err := os.Stat(p); err == nil {
			bin = p
		}
	}
	if bin == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(cache, "buildscope-tests", "buildx-"+buildxVersion)
		bin = filepath.Join(dir, "docker-buildx")
		if _, err := os.Stat(bin); err != nil {
			mod := t.TempDir()
			for _, args := range [][]string{{"mod", "init", "buildxtool"}, {"get", "github.com/docker/buildx/cmd/buildx@" + buildxVersion},
				{"build", "-o", bin, "github.com/docker/buildx/cmd/buildx"}} {
				cmd := exec.Command("go", args...)
				cmd.Dir = mod
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("building buildx %s: go %v: %v\n%s", buildxVersion, args, err, out)
				}
			}
		}
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("no docker buildx to run (make buildx builds it): %v", err)
	}
	cfg := t.TempDir()
	os.MkdirAll(filepath.Join(cfg, "cli-plugins"), 0o755)
	if err := os.Symlink(bin, filepath.Join(cfg, "cli-plugins", "docker-buildx")); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// dockerCmd is the docker CLI with the given config directory.
func dockerCmd(cfg string, args ...string) *exec.Cmd {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+cfg)
	return cmd
}

// docker runs the docker CLI with the given config directory.
func docker(t *testing.T, cfg string, args ...string) string {
	t.Helper()
	out, err := dockerCmd(cfg, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, lastLines(string(out), 15))
	}
	return string(out)
}

// Two `docker buildx build`s on the embedded builder (buildx's remote
// driver on its socket), each exported with `docker buildx history
// export` and imported: the imported builds have the Dockerfile's stages
// and lines, and why explains the second against the first, naming the
// file that changed.
func TestForeignImportBuildxBundle(t *testing.T) {
	cfg := buildxConfig(t)
	e := newColdEnv(t) // the builder's own history, whole: buildx's listing of it is compared with ours, 2 builds ok and 1 failed
	e.mustRun(t, "builder", "start")
	docker(t, cfg, "buildx", "create", "--name", "bs", "--driver", "remote", "unix://"+builderSock(e))
	dir := flagDir(t, foreignDockerfile)
	var ids []string
	for i := range 2 {
		os.WriteFile(filepath.Join(dir, "a.txt"), []byte(history.NewID()), 0o644)
		docker(t, cfg, "buildx", "build", "--builder", "bs", "--progress", "plain", dir)
		bundle := filepath.Join(t.TempDir(), "build.dockerbuild")
		docker(t, cfg, "buildx", "history", "export", "--builder", "bs", "--output", bundle)
		var got []model.Build
		r := e.mustRun(t, "history", "import", "--json", bundle)
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || len(got) != 1 {
			t.Fatalf("import %d: %v\n%s", i, err, r.stdout)
		}
		ids = append(ids, got[0].ID)
	}
	var rec model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "show", "--json", ids[1]).stdout), &rec); err != nil {
		t.Fatal(err)
	}
	lines := map[string]int{}
	for _, s := range rec.Stages {
		for _, st := range s.Steps {
			lines[s.Name+" "+st.Instruction] = st.Line
		}
	}
	if lines["prep COPY a.txt /a.txt"] != 3 || lines["stage-1 COPY --from=prep /b.txt /b.txt"] != 7 || rec.Origin == nil || rec.Origin.Imported == "" {
		t.Errorf("imported build: steps by line %v, origin %+v", lines, rec.Origin)
	}
	var ex why.Explanation
	r := e.mustRun(t, "why", "--json", ids[1])
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatal(err)
	}
	// an imported bundle keeps no per-file digests nor cache keys: the
	// changed file and an evicted entry cannot be told apart, and why
	// says so, naming the paths, instead of picking one
	if ex.Previous != ids[0] || len(ex.Misses) == 0 || ex.Misses[0].Reason != why.ReasonUnknown || !strings.Contains(r.stdout, `"a.txt"`) {
		t.Errorf("why of the second import (previous should be %s):\n%s", ids[0], r.stdout)
	}
	// history ls --builder agrees with buildx's own listing of the same
	// records (a failed build among them): status, times, step counts
	failing := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN exit 3\n")
	if out, err := dockerCmd(cfg, "buildx", "build", "--builder", "bs", "--progress", "plain", failing).CombinedOutput(); err == nil {
		t.Fatalf("the failing build succeeded:\n%s", out)
	}
	var ours struct {
		Builder []struct {
			Ref       string    `json:"ref"`
			Status    string    `json:"status"`
			Started   time.Time `json:"started"`
			Completed time.Time `json:"completed"`
			Cached    int       `json:"vertices_cached"` // BuildKit's counts, as buildx lists them
			Total     int       `json:"vertices_total"`
		} `json:"builder"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--json", "--builder", "embedded").stdout), &ours); err != nil {
		t.Fatal(err)
	}
	statuses := map[string]int{}
	for _, line := range strings.Split(strings.TrimSpace(docker(t, cfg, "buildx", "history", "ls", "--builder", "bs", "--format", "json")), "\n") {
		var theirs struct {
			Ref       string    `json:"ref"`
			Status    string    `json:"status"`
			Created   time.Time `json:"created_at"`
			Completed time.Time `json:"completed_at"`
			Cached    int       `json:"cached_steps"`
			Total     int       `json:"total_steps"`
		}
		if err := json.Unmarshal([]byte(line), &theirs); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		ref := theirs.Ref[strings.LastIndex(theirs.Ref, "/")+1:]
		found := false
		for _, o := range ours.Builder {
			if o.Ref != ref {
				continue
			}
			found = true
			statuses[o.Status]++
			want := map[string]string{"Completed": "ok", "Error": "error"}[theirs.Status]
			if o.Status != want || !o.Started.Equal(theirs.Created) || !o.Completed.Equal(theirs.Completed) || o.Cached != theirs.Cached || o.Total != theirs.Total {
				t.Errorf("record %s: ours %+v, buildx's %+v", ref, o, theirs)
			}
		}
		if !found {
			t.Errorf("buildx lists %s, history ls --builder does not", ref)
		}
	}
	if statuses["ok"] != 2 || statuses["error"] != 1 {
		t.Errorf("statuses %v: want buildx's 2 builds ok and 1 error", statuses)
	}
	bad := e.run(t, nil, "history", "import", filepath.Join(dir, "Dockerfile"))
	if bad.code != 1 || strings.Count(strings.TrimSpace(bad.stderr), "\n") != 0 || !strings.Contains(bad.stderr, "docker buildx history export") {
		t.Errorf("importing a Dockerfile: exit %d, stderr %q", bad.code, bad.stderr)
	}
	// the builder's own record of the second buildx build (its imported
	// copy removed), explained from the embedded builder's cache keys
	if rm := e.mustRun(t, "history", "rm", ids[1]).stdout; strings.Contains(rm, "kept:") {
		t.Errorf("removing an imported record left something: %s", rm)
	}
	r = e.mustRun(t, "why", "--json", "--builder", "embedded", ids[1])
	ex = why.Explanation{}
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Source != why.SourceCacheKeys || len(ex.Misses) == 0 || len(ex.Misses[0].Detail.Changes) != 1 || ex.Misses[0].Detail.Changes[0].Path != "a.txt" {
		t.Errorf("why of buildx's build on the embedded builder, from its cache keys:\n%s", r.stdout)
	}
}
