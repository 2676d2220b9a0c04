package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
)

// runIn runs buildscope in e with dir as the working directory, where bake
// looks for its files and resolves their contexts.
func (e *env) runIn(t *testing.T, dir string, extraEnv []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string{}, e.vars...), extraEnv...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running buildscope %v: %v", args, err)
	}
	if strings.Contains(r.stderr, "panic:") {
		t.Fatalf("buildscope %v panicked:\n%s", args, r.stderr)
	}
	return r
}

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
	for _, builder := range []string{"embedded", "docker"} {
		t.Run(builder, func(t *testing.T) {
			if builder == "docker" {
				requireDocker(t)
			}
			e := newEnv(t)
			dir := copyDir(t, "../../assets/examples/bake")
			// a base stage no earlier run has cached (the engine keeps its cache)
			df := filepath.Join(dir, "Dockerfile")
			data, _ := os.ReadFile(df)
			data = bytes.Replace(data, []byte("AS base\n"), []byte("AS base\nENV NONCE="+buildrun.NewID()+"\n"), 1)
			if err := os.WriteFile(df, data, 0o644); err != nil {
				t.Fatal(err)
			}
			recs, r := e.bakeRecords(t, dir, nil, "--builder", builder, "-f", "docker-bake.hcl")
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
			if !strings.Contains(r.stderr, "stage base: built once for api, worker\n") {
				t.Errorf("bake's summary does not name the shared stage:\n%s", lastLines(r.stderr, 5))
			}
			if a[len(a)-1] == w[len(w)-1] {
				t.Errorf("api and worker end in the same layer %s", a[len(a)-1])
			}
		})
	}
}

// --set overrides a target's arg: BuildKit's own step name shows the value
// the build used, and only the named target is built.
func TestBakeSetOverridesArg(t *testing.T) {
	for _, builder := range []string{"embedded", "docker"} {
		t.Run(builder, func(t *testing.T) {
			if builder == "docker" {
				requireDocker(t)
			}
			e := newEnv(t)
			dir := copyDir(t, "../../assets/examples/bake")
			recs, _ := e.bakeRecords(t, dir, nil, "--builder", builder, "-f", "docker-bake.hcl", "--set", "api.args.VERSION=2.5.1", "api")
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
}

// A Compose file's services are bake targets; its variables come from the
// environment (BASE here, which the services' args default otherwise).
func TestBakeCompose(t *testing.T) {
	for _, builder := range []string{"embedded", "docker"} {
		t.Run(builder, func(t *testing.T) {
			if builder == "docker" {
				requireDocker(t)
			}
			e := newEnv(t)
			dir := copyDir(t, "../../assets/examples/bake")
			base := baseAddr + "/buildscope/busybox:latest"
			recs, _ := e.bakeRecords(t, dir, []string{"BASE=" + base}, "--builder", builder, "-f", "compose.yaml")
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
}

// --print writes the definition docker buildx bake --print writes, overrides
// applied: buildx itself is the oracle when it is installed.
func TestBakePrintMatchesBuildx(t *testing.T) {
	dir := copyDir(t, "../../assets/examples/bake")
	buildx := exec.Command("docker", "buildx", "version").Run() == nil
	// a JSON bake file: the HCL's definition as --print writes it
	def := shared.runIn(t, dir, nil, "bake", "--print", "-f", "docker-bake.hcl")
	if def.code != 0 {
		t.Fatalf("bake --print exited %d: %s", def.code, def.stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-bake.json"), []byte(def.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"docker-bake.hcl", "compose.yaml", "docker-bake.json"} {
		args := []string{"bake", "--print", "-f", file, "--set", "api.args.VERSION=3", "--set", "*.platform=linux/amd64"}
		ours := shared.runIn(t, dir, []string{"BASE=example/base:1"}, args...)
		if ours.code != 0 {
			t.Fatalf("bake --print -f %s exited %d: %s", file, ours.code, ours.stderr)
		}
		fromEnv := file == "docker-bake.json" || strings.Contains(ours.stdout, `"BASE": "example/base:1"`) // the JSON has the value, not the variable
		if !strings.Contains(ours.stdout, `"VERSION": "3"`) || !fromEnv {
			t.Errorf("%s: override or environment variable missing:\n%s", file, ours.stdout)
		}
		if !buildx {
			continue
		}
		cmd := exec.Command("docker", append([]string{"buildx"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "BASE=example/base:1")
		theirs, err := cmd.Output()
		if err != nil {
			t.Fatalf("docker buildx bake --print -f %s: %v", file, err)
		}
		if ours.stdout != string(theirs) {
			t.Errorf("bake --print -f %s differs from buildx's:\nours:\n%s\nbuildx:\n%s", file, ours.stdout, theirs)
		}
	}
	if !buildx {
		t.Skip("docker buildx is not installed (bench/bake.sh builds it): compared with nothing")
	}
}

// bake on a terminal: the live graph draws the base stage once, with an
// edge to each target's stage, and a node per target; q exits 0 and each
// target's summary follows.
func TestBakeUnderTmux(t *testing.T) {
	dir := copyDir(t, "../../assets/examples/bake")
	var envs []string
	for _, v := range shared.vars {
		if strings.HasPrefix(v, "XDG_") || strings.HasPrefix(v, "BUILDSCOPE_") || strings.HasPrefix(v, "PATH=") || v == "NO_COLOR=1" {
			envs = append(envs, "'"+v+"'")
		}
	}
	shell := fmt.Sprintf("cd %s && env TERM=xterm-256color %s %s bake --builder embedded -f docker-bake.hcl; echo EXIT=$?; sleep 60", dir, strings.Join(envs, " "), binPath)
	capture, send := tmuxSession(t, 110, 30, shell)
	s := waitScreen(t, capture, "done in", 90*time.Second)
	if strings.Count(s, " base ") != 1 || !strings.Contains(s, "├─┐") || !strings.Contains(s, "target api") || !strings.Contains(s, "target worker") {
		t.Errorf("graph: want base once, split to api and worker, a node per target:\n%s", s)
	}
	send("q")
	s = waitScreen(t, capture, "EXIT=", 20*time.Second)
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "api: build ") || !strings.Contains(s, "worker: build ") {
		t.Errorf("after the UI:\n%s", s)
	}
}

// --load puts every target's image, under its tags, into the Docker
// engine: the engine itself says what it holds.
func TestBakeLoad(t *testing.T) {
	requireDocker(t)
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/bake")
	tag := "bakeload" + strings.ToLower(buildrun.NewID())
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

// What bake cannot do fails before a builder is contacted, in one line
// naming what to do.
func TestBakeErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "inline.hcl"), []byte(`target "default" { dockerfile-inline = "FROM scratch" }`), 0o644)
	os.WriteFile(filepath.Join(dir, "app.hcl"), []byte(`target "app" {}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bake"}, "buildscope: no bake file here (docker-bake.hcl, docker-bake.json, compose.yaml, docker-compose.yml): name one with -f"},
		{[]string{"bake", "-f", "inline.hcl"}, "buildscope: bake target default: dockerfile-inline is not supported: put the Dockerfile in a file and name it with dockerfile"},
		{[]string{"bake", "-f", "app.hcl", "nope"}, "buildscope: reading bake targets: failed to find target nope"},
		{[]string{"bake", "-f", "app.hcl"}, "buildscope: the bake files have no default target or group: name one of app"},
		{[]string{"bake", "-f", "app.hcl", "--set", "app.nokey=1", "app"}, "buildscope: reading bake targets: unknown key: nokey"},
	} {
		r := shared.runIn(t, dir, nil, tc.args...)
		if r.code == 0 || strings.TrimSpace(r.stderr) != tc.want {
			t.Errorf("%v: exit %d, stderr %q\nwant %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// SIGINT during a bake stops every target: exit 130, and each target's
// record says canceled.
func TestBakeInterrupt(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	nonce := buildrun.NewID()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox AS base\n"+
		"RUN echo "+nonce+" && echo started-sleeping && sleep 60\nFROM base AS a\nRUN echo a\nFROM base AS b\nRUN echo b\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), []byte(`group "default" { targets = ["a", "b"] }
target "a" { target = "a" }
target "b" { target = "b" }
`), 0o644)
	cmd := exec.Command(binPath, "bake", "--builder", "embedded", "--progress", "plain")
	cmd.Dir, cmd.Env = dir, e.vars
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "started-sleeping") && !strings.Contains(sc.Text(), "RUN") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(50 * time.Second):
		cmd.Process.Kill()
		t.Fatal("bake did not stop after SIGINT")
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	var all []*model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--json").stdout), &all); err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{}
	for _, b := range all {
		if b.Bake != nil {
			targets[b.Bake.Target] = b.Status
		}
	}
	if len(targets) != 2 || targets["a"] != model.StatusCanceled || targets["b"] != model.StatusCanceled {
		t.Errorf("records by target: %v, want a and b canceled", targets)
	}
}
