package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

func builderStatus(t *testing.T, e *env) builder.EmbeddedStatus {
	t.Helper()
	var st builder.EmbeddedStatus
	if err := json.Unmarshal([]byte(e.mustRun(t, "builder", "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestBuilderLifecycle(t *testing.T) {
	e := newColdEnv(t)
	if st := builderStatus(t, e); st.Running {
		t.Fatalf("fresh env: builder running: %+v", st)
	}
	// started from a directory the user then removes: the daemon's
	// working directory is its own (BuildKit runs git in it; git sources
	// failed once the directory was gone)
	from := t.TempDir()
	if r := e.runIn(t, from, nil, "builder", "start"); r.code != 0 {
		t.Fatalf("builder start exited %d: %s", r.code, r.stderr)
	}
	st := builderStatus(t, e)
	if !st.Running || st.PID == 0 || st.Version == "" {
		t.Fatalf("after start: %+v", st)
	}
	if cwd, err := os.Readlink(fmt.Sprintf("/proc/%d/cwd", st.PID)); err != nil || cwd != filepath.Dir(st.Root) {
		t.Errorf("the daemon's working directory is %q (%v), want its builder directory %s", cwd, err, filepath.Dir(st.Root))
	}
	// a second start reuses the daemon
	e.mustRun(t, "builder", "start")
	if again := builderStatus(t, e); again.PID != st.PID {
		t.Errorf("start restarted the daemon: pid %d → %d", st.PID, again.PID)
	}
	if _, r := e.build(t, "--builder", "embedded", "../../assets/examples/multistage"); r.code != 0 {
		t.Fatalf("build: %s", lastLines(r.stderr, 10))
	}
	if st := builderStatus(t, e); st.CacheBytes <= 0 {
		t.Errorf("cache after a build: %d bytes", st.CacheBytes)
	}
	var pr map[string]int64
	if err := json.Unmarshal([]byte(e.mustRun(t, "builder", "prune", "--json").stdout), &pr); err != nil {
		t.Fatal(err)
	}
	if pr["records"] == 0 || pr["freed_bytes"] <= 0 {
		t.Errorf("prune freed nothing: %v", pr)
	}
	e.mustRun(t, "builder", "stop")
	if st := builderStatus(t, e); st.Running {
		t.Errorf("still running after stop")
	}
	// exited: gone, or a zombie its new parent has yet to reap (pid 1
	// here reaps a second or two later; stop does not wait for that)
	if s := procStateOf(st.PID); s != "" && s != "Z" {
		t.Errorf("buildkitd pid %d alive after stop (state %s)", st.PID, s)
	}
	// a build starts it again on demand
	if b, r := e.build(t, "--builder", "embedded", "../../assets/examples/multistage"); r.code != 0 || b.Status != model.StatusOK {
		t.Fatalf("build after stop: %s", lastLines(r.stderr, 10))
	}
	if st := builderStatus(t, e); !st.Running {
		t.Errorf("build did not start the builder")
	}
}

// Without --builder: BUILDKIT_HOST first, then the engine, then embedded.
func TestAutomaticBuilderChoice(t *testing.T) {
	shared := newEnv(t)
	shared.mustRun(t, "builder", "start")
	addr := builderStatus(t, shared).Address
	report := t.TempDir() + "/r.json"
	r := shared.run(t, []string{"BUILDKIT_HOST=" + addr}, "build", "--progress", "plain", "--report", report, "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("build with BUILDKIT_HOST: %s", lastLines(r.stderr, 10))
	}
	var b model.Build
	json.Unmarshal([]byte(readFile(t, report)), &b)
	// the address is the embedded builder's socket, which buildscope
	// knows as embedded; not the engine, which answers too
	if b.Builder != "embedded" {
		t.Errorf("BUILDKIT_HOST=%s build ran on %q, want the embedded builder it names", addr, b.Builder)
	}

	// no engine answering (DOCKER_HOST points nowhere): embedded
	r = shared.run(t, []string{"DOCKER_HOST=unix:///tmp/bs-no-docker.sock"}, "build", "--progress", "plain", "--report", report, "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("build without engine: %s", lastLines(r.stderr, 10))
	}
	json.Unmarshal([]byte(readFile(t, report)), &b)
	if b.Builder != "embedded" {
		t.Errorf("without an engine the build ran on %q, want embedded", b.Builder)
	}

	requireDocker(t)
	b2, r := shared.build(t, "../../assets/examples/multistage")
	if r.code != 0 || b2.Builder != "docker" {
		t.Errorf("with an engine answering the build ran on %q (exit %d)", b2.Builder, r.code)
	}
}

// --load from the embedded builder puts the image in the engine's store.
func TestEmbeddedLoadIntoEngine(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	tag := "buildscope-e2e/load:" + history.NewID()
	b, r := shared.build(t, "--builder", "embedded", "--load", "-t", tag, "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, lastLines(r.stderr, 10))
	}
	defer exec.Command("docker", "rmi", "-f", tag).Run()
	out := runDocker(t, "run", "--rm", tag)
	if !strings.Contains(out, "hello, world (greeter 1.0.0)") {
		t.Errorf("the loaded image printed %q", out)
	}
	if b.Result == nil || b.Result.Kind != model.ResultOCILayout {
		t.Errorf("the build's own result is missing: %+v", b.Result)
	}
}

// The embedded builder says what to install or run when it cannot start.
func TestEmbeddedPreflightErrors(t *testing.T) {
	e := newColdEnv(t)
	r := e.run(t, []string{"PATH=/nonexistent"}, "build", "--builder", "embedded", "../../assets/examples/multistage")
	if r.code == 0 || !strings.Contains(r.stderr, "needs runc") || !strings.Contains(r.stderr, "apt-get install runc") {
		t.Errorf("without runc: exit %d %q", r.code, r.stderr)
	}

	// as an unprivileged user
	if err := os.Chmod(filepath.Dir(binPath), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(e.dir, 0o777)
	ctxDir, err := os.MkdirTemp("", "bs-ctx")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(ctxDir)
	os.Chmod(ctxDir, 0o755)
	os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
	cmd := exec.Command(binPath, "build", "--builder", "embedded", ctxDir)
	cmd.Env = e.vars
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "needs root") || !strings.Contains(string(out), "--builder docker") {
		t.Errorf("as nobody: %v %q", err, out)
	}
}
