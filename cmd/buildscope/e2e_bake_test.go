package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/why"
)

// bakeRecords runs a bake in dir and returns the records it left, by bake
// target (those of the history's newest bake), and what it printed.
func (e *env) bakeRecords(t *testing.T, dir string, extraEnv []string, args ...string) (map[string]*model.Build, result) {
	t.Helper()
	r := e.runIn(t, dir, extraEnv, append([]string{"bake", "--progress", "plain"}, args...)...)
	if r.code != 0 {
		t.Fatalf("bake %v exited %d:\n%s", args, r.code, lastLines(r.stderr, 30))
	}
	var all []*model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--json").stdout), &all); err != nil {
		t.Fatalf("history ls --json: %v", err)
	}
	out := map[string]*model.Build{}
	var bake string
	for i := len(all) - 1; i >= 0; i-- {
		b := all[i]
		if b.Bake == nil || (bake != "" && b.Bake.ID != bake) {
			continue
		}
		bake = b.Bake.ID
		out[b.Bake.Target] = b
	}
	return out, r
}

// uniqueTags are --set overrides naming the targets' images uniquely on
// the engine (the moby exporter tags them there), removed after the test;
// none on other builders.
func uniqueTags(t *testing.T, builder string, targets ...string) []string {
	if builder != "docker" {
		return nil
	}
	prefix := "bakee2e" + strings.ToLower(history.NewID())
	var out []string
	for _, n := range targets {
		ref := prefix + "/" + n + ":1"
		out = append(out, "--set", n+".tags="+ref)
		t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
	}
	return out
}

// layerDigests are the digests of the image's layers.
func layerDigests(t *testing.T, b *model.Build) []string {
	t.Helper()
	if b.Image == nil {
		t.Fatalf("build %s (%s) recorded no image", b.ID, b.Target)
	}
	var out []string
	for _, l := range b.Image.Layers {
		out = append(out, l.Digest)
	}
	return out
}

// The example's default group: api and worker, built at once, both on the
// `base` stage. Its RUN writes random bytes, so the two images hold the
// same base layers only if that RUN ran once for both. Each target has its
// own record, with its own stages, on the embedded builder and the engine.
func TestBakeGroupSharesStage(t *testing.T) {
	onEachBuilder(t, func(t *testing.T, builder string) {
		e := newEnv(t)
		dir := copyDir(t, "../../assets/examples/bake")
		// a base stage no earlier run nor other test has cached (the engine
		// keeps its cache; the embedded builder is shared)
		df := filepath.Join(dir, "Dockerfile")
		data, _ := os.ReadFile(df)
		data = bytes.Replace(data, []byte("AS base\n"), []byte("AS base\nENV NONCE="+history.NewID()+"\n"), 1)
		if err := os.WriteFile(df, data, 0o644); err != nil {
			t.Fatal(err)
		}
		recs, r := e.bakeRecords(t, dir, nil, append([]string{"--builder", builder, "-f", "docker-bake.hcl"}, uniqueTags(t, builder, "api", "worker")...)...)
		api, worker := recs["api"], recs["worker"]
		if len(recs) != 2 || api == nil || worker == nil {
			t.Fatalf("records by bake target: %v, want api and worker", recs)
		}
		for name, b := range recs {
			if b.Status != model.StatusOK || b.Target != name || b.Builder != builder {
				t.Errorf("%s: status %s, target %q, builder %s", name, b.Status, b.Target, b.Builder)
			}
			var stages []string
			for _, s := range b.Stages {
				stages = append(stages, s.Name)
			}
			if strings.Join(stages, ",") != "base,"+name {
				t.Fatalf("%s: stages %v, want base and %s", name, stages, name)
			}
			if run := b.Stages[0].Steps[1]; run.Cached || !strings.Contains(run.Instruction, "RUN mkdir") {
				t.Errorf("%s: base stage's RUN %+v, want it run (not cached)", name, run)
			}
		}
		a, w := layerDigests(t, api), layerDigests(t, worker)
		// busybox, the base stage's RUN (random bytes), then each its own
		if len(a) < 3 || len(w) < 3 || a[1] != w[1] {
			t.Errorf("base stage's RUN layer differs: api %v, worker %v: the shared stage ran twice", a, w)
		}
		// the checks on the engine 20.10: not available, said once for the bake
		wantChecks := 0
		if api.ChecksUnavailable != "" {
			wantChecks = 1
		}
		if n := strings.Count(r.stderr, "checks not available on this builder"); n != wantChecks || (builder == "embedded" && wantChecks != 0) || api.ChecksUnavailable != worker.ChecksUnavailable {
			t.Errorf("bake's output says %d times that the checks did not run; records: %q, %q", n, api.ChecksUnavailable, worker.ChecksUnavailable)
		}
		// plain progress shows the shared stage's vertex as one vertex
		// (one #N), as docker buildx bake does, not once per target's
		// stream; BuildKit's printer repeats a vertex's header line when
		// its output resumes after another's, under the same #N
		shared := map[string]bool{}
		for _, l := range strings.Split(r.stderr, "\n") {
			if num, rest, ok := strings.Cut(l, " "); ok && strings.HasPrefix(num, "#") && strings.HasPrefix(rest, "[base 2/3] RUN mkdir") {
				shared[num] = true
			}
		}
		if len(shared) != 1 {
			t.Errorf("plain progress shows the shared RUN as %d vertices %v, want one:\n%s", len(shared), shared, r.stderr)
		}
		if !strings.Contains(r.stderr, "stage base: built once for api, worker\n") {
			t.Errorf("bake's summary does not name the shared stage:\n%s", lastLines(r.stderr, 5))
		}
		if a[len(a)-1] == w[len(w)-1] {
			t.Errorf("api and worker end in the same layer %s", a[len(a)-1])
		}
	})
}

// --set overrides a target's arg: BuildKit's own step name shows the value
// the build used, and only the named target is built.
func TestBakeSetOverridesArg(t *testing.T) {
	onEachBuilder(t, func(t *testing.T, builder string) {
		e := newEnv(t)
		dir := copyDir(t, "../../assets/examples/bake")
		recs, _ := e.bakeRecords(t, dir, nil, append([]string{"--builder", builder, "-f", "docker-bake.hcl", "--set", "api.args.VERSION=2.5.1", "api"}, uniqueTags(t, builder, "api")...)...)
		api := recs["api"]
		if len(recs) != 1 || api == nil {
			t.Fatalf("records by bake target: %v, want api alone", recs)
		}
		found := false
		for _, s := range api.Stages {
			for _, st := range s.Steps {
				found = found || strings.Contains(st.Name, `echo "2.5.1" > VERSION`)
			}
		}
		if !found || api.BuildArgs["VERSION"] != "2.5.1" {
			t.Errorf("VERSION not overridden: args %v, steps %+v", api.BuildArgs, api.Stages)
		}
	})
}

// A Compose file's services are bake targets; its variables come from the
// environment (BASE here, which the services' args default otherwise).
func TestBakeCompose(t *testing.T) {
	onEachBuilder(t, func(t *testing.T, builder string) {
		e := newEnv(t)
		dir := copyDir(t, "../../assets/examples/bake")
		base := baseAddr + "/buildscope/busybox:latest"
		recs, _ := e.bakeRecords(t, dir, []string{"BASE=" + base}, append([]string{"--builder", builder, "-f", "compose.yaml"}, uniqueTags(t, builder, "api", "worker")...)...)
		if len(recs) != 2 || recs["api"] == nil || recs["worker"] == nil {
			t.Fatalf("records by bake target: %v, want api and worker", recs)
		}
		for name, b := range recs {
			if b.Status != model.StatusOK || b.Target != name || b.BuildArgs["BASE"] != base {
				t.Errorf("%s: status %s, target %q, args %v", name, b.Status, b.Target, b.BuildArgs)
			}
		}
	})
}

// --load puts every target's image, under its tags, into the Docker
// engine: the engine itself says what it holds.
func TestBakeLoad(t *testing.T) {
	requireDocker(t)
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/bake")
	tag := "bakeload" + strings.ToLower(history.NewID())
	recs, _ := e.bakeRecords(t, dir, nil, "--builder", "embedded", "-f", "docker-bake.hcl", "--load",
		"--set", "api.tags="+tag+"/api:1", "--set", "worker.tags="+tag+"/worker:1")
	for _, name := range []string{"api", "worker"} {
		ref := tag + "/" + name + ":1"
		t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
		out, err := exec.Command("docker", "image", "inspect", "--format", "{{json .RootFS.Layers}}", ref).Output()
		if err != nil {
			t.Errorf("%s not in the engine after bake --load: %v", ref, err)
			continue
		}
		if b := recs[name]; b == nil || b.Image == nil || strings.Count(string(out), "sha256:") != len(b.Image.Layers) {
			t.Errorf("%s: engine has layers %s, record %+v", ref, out, recs[name])
		}
	}
}

// why explains each target of a second bake against the same target's
// record of the first: api's edited script is the one root cause, and the
// worker, whose inputs did not change, missed nothing.
func TestBakeWhyPerTarget(t *testing.T) {
	// on the shared builder: the second bake's change is the test's own (a
	// nonce), each target's previous record is in the test's history, and
	// BASE is ownBase (else the base stage's steps are vertices other
	// tests' bakes hold, whose progress BuildKit replays: ran, to why)
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/bake")
	base := []string{"BASE=" + ownBase(t)}
	first, _ := e.bakeRecords(t, dir, base, "--builder", "embedded", "-f", "docker-bake.hcl")
	script := filepath.Join(dir, "api", "serve.sh")
	data, _ := os.ReadFile(script)
	os.WriteFile(script, append(data, []byte("# "+history.NewID()+"\n")...), 0o755)
	second, _ := e.bakeRecords(t, dir, base, "--builder", "embedded", "-f", "docker-bake.hcl")
	for _, name := range []string{"api", "worker"} {
		if first[name] == nil || second[name] == nil {
			t.Fatalf("%s: records %v then %v", name, first, second)
		}
		var ex why.Explanation
		if err := json.Unmarshal([]byte(e.mustRun(t, "why", "--json", second[name].ID).stdout), &ex); err != nil {
			t.Fatal(err)
		}
		if ex.Previous != first[name].ID {
			t.Errorf("%s explained against %s, want its first record %s", name, ex.Previous, first[name].ID)
		}
		var roots []string
		for _, m := range ex.Misses {
			if m.Root {
				roots = append(roots, m.Reason+" "+m.Step)
			}
		}
		want := ""
		if name == "api" {
			want = why.ReasonContext + " [api 3/4] COPY api/serve.sh ./"
		}
		if strings.Join(roots, "; ") != want {
			t.Errorf("%s: root causes %q, want %q", name, roots, want)
		}
	}
}

// --push sends every target's image to its registry (a loopback one of
// the test's own), on the embedded builder and the engine: the registry
// holds each under its tag, and the manifest read back from it is the one
// the record names (its digest, its config, as many layers).
func TestBakePush(t *testing.T) {
	onEachBuilder(t, func(t *testing.T, builder string) {
		reg, _ := loopbackRegistry(t)
		e := newEnv(t)
		dir := copyDir(t, "../../assets/examples/bake")
		prefix := reg.Addr + "/bakepush" + strings.ToLower(history.NewID())
		args := []string{"--builder", builder, "-f", "docker-bake.hcl", "--push"}
		for _, n := range []string{"api", "worker"} {
			ref := prefix + "/" + n + ":1"
			args = append(args, "--set", n+".tags="+ref)
			if builder == "docker" {
				t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
			}
		}
		recs, _ := e.bakeRecords(t, dir, nil, args...)
		for _, n := range []string{"api", "worker"} {
			b := recs[n]
			if b == nil || b.Image == nil {
				t.Fatalf("%s: record %+v has no image", n, b)
			}
			ref, err := name.ParseReference(prefix + "/" + n + ":1")
			if err != nil {
				t.Fatal(err)
			}
			desc, err := remote.Get(ref)
			if err != nil {
				t.Fatalf("%s not in the registry after bake --push: %v", ref, err)
			}
			img, err := desc.Image()
			if err != nil {
				t.Fatalf("%s: %v", ref, err)
			}
			m, err := img.Manifest()
			if err != nil {
				t.Fatalf("reading %s's manifest back: %v", ref, err)
			}
			if desc.Digest.String() != b.Image.Digest || b.Exporter["containerimage.digest"] != desc.Digest.String() {
				t.Errorf("%s: registry has manifest %s; the record's image %s, exporter's digest %q", n, desc.Digest, b.Image.Digest, b.Exporter["containerimage.digest"])
			}
			if len(m.Layers) != len(b.Image.Layers) {
				t.Errorf("%s: pushed manifest has %d layers, the record %d", n, len(m.Layers), len(b.Image.Layers))
			}
			if builder == "docker" && (b.Result == nil || b.Result.Ref != m.Config.Digest.String()) {
				t.Errorf("%s: pushed config %s, the engine's image in the record %+v", n, m.Config.Digest, b.Result)
			}
		}
	})
}

// stages build:ID measures a bake target's stages with the target's own
// Dockerfile stage and args, which the record keeps: api's are base and
// api, worker's base and worker. Flags the record answers are refused.
func TestBakeStagesPerTarget(t *testing.T) {
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/bake")
	recs, _ := e.bakeRecords(t, dir, nil, "--builder", "embedded", "-f", "docker-bake.hcl")
	for _, name := range []string{"api", "worker"} {
		if recs[name] == nil {
			t.Fatalf("no record of %s: %v", name, recs)
		}
		r := e.run(t, nil, "stages", "--builder", "embedded", "--json", "build:"+recs[name].ID)
		if r.code != 0 {
			t.Fatalf("stages build:%s (%s) exited %d: %s", recs[name].ID, name, r.code, lastLines(r.stderr, 10))
		}
		var rep compare.StageReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("stages --json: %v\n%s", err, r.stdout)
		}
		var got []string
		for _, s := range rep.Stages {
			got = append(got, s.Name)
		}
		if strings.Join(got, ",") != "base,"+name || rep.Final.Name != name {
			t.Errorf("%s: stages %v, final %q; want base,%s and %s", name, got, rep.Final.Name, name, name)
		}
	}
	r := e.run(t, nil, "stages", "--target", "api", "build:"+recs["api"].ID)
	if want := "buildscope: stages build:ID takes the Dockerfile, target, build args and platforms from the record: drop --target, or give stages a PATH"; r.code == 0 || strings.TrimSpace(r.stderr) != want {
		t.Errorf("stages --target build:ID: exit %d, %q", r.code, r.stderr)
	}
}

// onEachBuilder runs f as a subtest on the embedded builder and on the
// Docker engine (which make test starts when none answers).
func onEachBuilder(t *testing.T, f func(t *testing.T, builder string)) {
	// the parent too runs in parallel: a serial parent holds back every
	// other test until its parallel subtests are done
	parallel(t)
	for _, builder := range []string{"embedded", "docker"} {
		t.Run(builder, func(t *testing.T) {
			// the builders one after the other in the parent's slot: as
			// parallel subtests they queued behind every waiting test and
			// were the run's last 15 s, on a machine otherwise idle
			parallelTests.Store(t, true)
			if builder == "docker" {
				requireDocker(t)
			}
			f(t, builder)
		})
	}
}
