package main

// End-to-end tests: they run the real buildscope binary against a real
// BuildKit (the embedded buildkitd, built from the module) and, when one
// answers, the Docker engine. `make test` starts an engine when none
// answers and sets BUILDSCOPE_REQUIRE_DOCKER=1 so those tests cannot be
// skipped there.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/assets/baseimage"
	"github.com/buildscope/buildscope/buildrun/testdeps"
	"github.com/buildscope/buildscope/model"
)

const baseAddr = "127.0.0.1:5015"

var (
	binPath   string // the buildscope binary under test
	buildkitd string // the buildkitd it runs as the embedded builder
	warm      *env   // holds the warm embedded builder that newEnv's share
	tmpRoot   string // every environment's directory is under it
)

// env is a buildscope environment: its own state dir (history, results),
// and either the package's warm embedded builder or one of its own.
type env struct {
	dir  string
	vars []string
	// builder is the embedded builder's directory (BUILDSCOPE_BUILDER_DIR)
	builder string
	// runtime is the XDG_RUNTIME_DIR of its socket
	runtime string
	// own: the builder is the env's, stopped when the test ends
	own bool
}

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) (exit int) {
	tmp, err := os.MkdirTemp(tmpBase(), "bs-e2e")
	if err == nil {
		err = os.Setenv("TMPDIR", tmp) // t.TempDir and the binaries under test
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: temp files in %s\n", tmp)
	defer func() {
		if left := detachMountsUnder(tmp); len(left) > 0 {
			fmt.Fprintf(os.Stderr, "e2e: mounts were left in the package's temp files (a builder that died mid-step and was never stopped):\n  %s\n", strings.Join(left, "\n  "))
			exit = 1
		}
		if err := os.RemoveAll(tmp); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: removing the temp files: %v\n", err)
			exit = 1
		}
	}()
	// make test has just built bin/buildscope and, beside it, bake's file
	// reader from this tree and names them (BUILDSCOPE_BIN): copies (run
	// as another user from the temp dir by one test) instead of seconds of
	// linking them again
	binPath = filepath.Join(tmp, "buildscope")
	for _, prog := range []string{"buildscope", "buildscope-bake"} {
		build := exec.Command("go", "build", "-o", filepath.Join(tmp, prog), "../"+prog)
		if bin := os.Getenv("BUILDSCOPE_BIN"); bin != "" {
			src := bin
			if prog != "buildscope" {
				src = filepath.Join(filepath.Dir(bin), prog)
			}
			build = exec.Command("cp", src, filepath.Join(tmp, prog))
		}
		if out, err := build.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", prog, err, out)
			return 1
		}
	}
	buildkitd = os.Getenv("BUILDSCOPE_BUILDKITD")
	if buildkitd == "" {
		if p, err := filepath.Abs("../../bin/buildkitd"); err == nil {
			if _, err := os.Stat(p); err == nil {
				buildkitd = p
			}
		}
	}
	if buildkitd == "" {
		buildkitd = filepath.Join(tmp, "buildkitd")
		if out, err := exec.Command("go", "build", "-o", buildkitd, "github.com/moby/buildkit/cmd/buildkitd").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building buildkitd: %v\n%s", err, out)
			return 1
		}
	}
	ref := baseAddr + "/" + baseimage.Repository + ":latest"
	if !baseimage.Answers(ref) {
		img, err := baseimage.Image(baseimage.DefaultBusybox)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		r, err := baseimage.Serve(baseAddr, img)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer r.Close()
	}
	tmpRoot = tmp
	warm = newEnvIn(filepath.Join(tmp, "warm"), nil)
	warm.own = true
	defer warm.stop()
	return m.Run()
}

// newEnvIn is an environment in dir; on, when not nil, is the env whose
// embedded builder it uses (its directory and socket).
func newEnvIn(dir string, on *env) *env {
	e := &env{dir: dir, builder: filepath.Join(dir, "state", "buildscope", "buildkitd"), runtime: filepath.Join(dir, "run")}
	if on != nil {
		// on's builder, wherever on has it (an env on the warm builder
		// has the warm one's): taking on's directory started a builder
		// in it that no one stopped, one buildkitd left by every run
		e.builder, e.runtime = on.builder, on.runtime
	}
	e.vars = append(os.Environ(),
		"XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_RUNTIME_DIR="+e.runtime,
		"BUILDSCOPE_BUILDER_DIR="+e.builder,
		"BUILDSCOPE_BUILDKITD="+buildkitd,
		"BUILDKIT_HOST=",
		"NO_COLOR=1",
	)
	return e
}

// newEnv is an environment of the test's own (history, results, temp
// files) on the package's warm embedded builder, which other tests use
// at the same time: its cache may hold their steps, its own history their
// builds. The test runs in parallel with the others.
func newEnv(t *testing.T) *env { return newTestEnv(t, warm) }

// newColdEnv is an environment with an embedded builder of its own,
// stopped when the test ends: for what a shared builder would spoil or
// disturb — a cold build, the builder's lifecycle (start, stop, a stalled
// daemon), evictions (builder prune), purges, the builder's own history
// and attaching to its builds. The test runs in parallel with the others.
func newColdEnv(t *testing.T) *env { return newTestEnv(t, nil) }

// newTestEnv is a parallel test's environment in a directory of its own,
// on the builder of on (nil: a builder of its own, stopped at the end);
// the directory is removed when the test ends.
func newTestEnv(t *testing.T, on *env) *env {
	t.Helper()
	parallel(t)
	dir, err := os.MkdirTemp(tmpRoot, "env")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvIn(dir, on)
	e.own = on == nil
	t.Logf("environment %s (own builder: %v)", dir, e.own) // names the test a leftover process came from
	t.Cleanup(func() { e.stop(); os.RemoveAll(dir) })
	return e
}

// newSoloEnv is newColdEnv for a test that measures durations (the
// overlap of parallel steps, a step's time against its sleep): it runs
// alone, before the parallel tests, so that their load does not skew it.
func newSoloEnv(t *testing.T) *env {
	t.Helper()
	parallelTests.Store(t, true) // never parallel
	return newColdEnv(t)
}

// parallelTests are the tests that parallel has marked.
var parallelTests sync.Map

// slotHolders are the tests (by name) that hold one of the slots.
var slotHolders sync.Map

// parallel marks t to run in parallel with the package's other tests,
// once however many environments it makes.
func parallel(t *testing.T) {
	if _, done := parallelTests.LoadOrStore(t, true); !done {
		top, _, sub := strings.Cut(t.Name(), "/")
		if _, held := slotHolders.Load(top); sub && held {
			return // in its parent's slot, after the subtests before it
		}
		t.Parallel()
		slots.acquire(t.Name())
		slotHolders.Store(t.Name(), true)
		t.Cleanup(slots.release) // after the env's own cleanup: registered before it
	}
}

// stop stops the env's own builder; the warm one is stopped once, by
// TestMain.
func (e *env) stop() {
	if !e.own {
		return
	}
	cmd := exec.Command(binPath, "builder", "stop")
	cmd.Env = e.vars
	_ = cmd.Run()
}

// result is what one run of the binary did.
type result struct {
	stdout, stderr string
	code           int
}

// run runs buildscope with args in e and returns its output and exit code.
func (e *env) run(t *testing.T, extraEnv []string, args ...string) result {
	t.Helper()
	return e.runIn(t, "", extraEnv, args...)
}

// runIn is run in the directory dir ("": the test's own), where bake
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
	if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
		t.Fatalf("buildscope %v panicked:\n%s", args, r.stderr)
	}
	return r
}

// mustRun is run that fails the test on a non-zero exit.
func (e *env) mustRun(t *testing.T, args ...string) result {
	t.Helper()
	r := e.run(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("buildscope %v exited %d:\n%s", args, r.code, lastLines(r.stderr, 30))
	}
	return r
}

// build runs a build with a report and returns the record from it.
func (e *env) build(t *testing.T, args ...string) (*model.Build, result) {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report.json")
	all := append([]string{"build", "--progress", "plain", "--report", report}, args...)
	r := e.run(t, nil, all...)
	data, err := os.ReadFile(report)
	if err != nil {
		t.Fatalf("build %v wrote no report (exit %d): %v\n%s", args, r.code, err, lastLines(r.stderr, 30))
	}
	var b model.Build
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatalf("report: %v", err)
	}
	return &b, r
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// copyDir copies an example project to a temp dir the test may edit.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v %s", src, err, out)
	}
	return dst
}

// requireDocker skips without an engine, unless make test demands one.
func requireDocker(t *testing.T) {
	t.Helper()
	err := exec.Command("docker", "info").Run()
	testdeps.Need(t, err == nil, fmt.Sprintf("no Docker engine answers (make test starts one): %v", err))
}

// stepsByLine maps "stage:line" to the step.
func stepsByLine(b *model.Build) map[string]model.Step {
	out := map[string]model.Step{}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			out[fmt.Sprintf("%s:%d", s.Name, st.Line)] = st
		}
	}
	return out
}

func execOutput(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}

// loopbackRegistry serves the base image from a registry of the test's
// own on a free loopback port, closed when the test ends.
func loopbackRegistry(t *testing.T) (*baseimage.Registry, v1.Image) {
	t.Helper()
	img, err := baseimage.Image(baseimage.DefaultBusybox)
	if err != nil {
		t.Fatal(err)
	}
	return serveOnLoopback(t, img), img
}

// serveOnLoopback serves img from a registry of the test's own on a free
// loopback port, closed when the test ends.
func serveOnLoopback(t *testing.T, img v1.Image) *baseimage.Registry {
	t.Helper()
	reg, err := baseimage.Serve("127.0.0.1:0", img)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg.Close() })
	return reg
}

// builderSock is the socket of e's embedded builder: its own, or the
// warm one an env of newEnv shares.
func builderSock(e *env) string { return filepath.Join(e.runtime, "buildscope", "buildkitd.sock") }

// lastRecord is buildscope's record of the env's last build, as
// `history show last --json` prints it.
func (e *env) lastRecord(t *testing.T) model.Build {
	t.Helper()
	var b model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "show", "last", "--json").stdout), &b); err != nil {
		t.Fatal(err)
	}
	return b
}
