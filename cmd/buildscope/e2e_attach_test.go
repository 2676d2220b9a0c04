package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
)

// startBuild runs a build in the background, as someone else would, and
// returns a function waiting for its exit code.
func startBuild(t *testing.T, e *env, args ...string) func() (int, string) {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"build", "--progress", "plain", "--builder", "embedded"}, args...)...)
	cmd.Env = e.vars
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan int, 1)
	go func() {
		cmd.Wait()
		done <- cmd.ProcessState.ExitCode()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return func() (int, string) { return <-done, errb.String() }
}

// lockedBuffer is a bytes.Buffer a test may read while a process writes
// it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// attachWhenRunning runs `attach` (with args) until a build is running to
// attach to, for at most a minute.
func attachWhenRunning(t *testing.T, e *env, start func(*exec.Cmd, *lockedBuffer)) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		cmd := exec.Command(binPath, "attach", "--builder", "embedded", "--progress", "plain")
		cmd.Env = e.vars
		out := &lockedBuffer{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		start(cmd, out)
		cmd.Wait()
		if !strings.Contains(out.String(), "no build is running") {
			return cmd, out
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no build became attachable within a minute")
	return nil, nil
}

// openOnAttach opens g once the attach follows the build, so that it sees
// the gated step running and then the rest of the build.
func openOnAttach(g *gate) func(*exec.Cmd, *lockedBuffer) {
	return func(_ *exec.Cmd, out *lockedBuffer) {
		go func() {
			for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
				if s := out.String(); strings.Contains(s, "attaching to ") {
					g.Open()
					return
				}
				if strings.Contains(out.String(), "no build is running") {
					return
				}
			}
			g.Open() // never leave the build (and the attach) waiting
		}()
	}
}

// ownDockerfile is a build context whose Dockerfile, dockerfile, has a
// name of the test's own (Dockerfile.NONCE): the directory and the name.
func ownDockerfile(t *testing.T, dockerfile string) (dir, name string) {
	t.Helper()
	dir, name = t.TempDir(), "Dockerfile."+history.NewID()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, name
}

// runningRef is the ref of the build e's builder runs from the
// Dockerfile named name (a name of the test's own), asked once the
// build's gated step has arrived: on the shared builder other tests'
// builds run too, and attach without a ref follows the newest of them.
func runningRef(t *testing.T, e *env, name string) string {
	t.Helper()
	var ls struct {
		Builder []struct {
			Ref        string `json:"ref"`
			Dockerfile string `json:"dockerfile"`
		} `json:"builder"`
	}
	r := e.mustRun(t, "history", "ls", "--json", "--builder", "embedded")
	if err := json.Unmarshal([]byte(r.stdout), &ls); err != nil {
		t.Fatalf("history ls: %v\n%s", err, r.stdout)
	}
	for _, b := range ls.Builder {
		if b.Dockerfile == name {
			return b.Ref
		}
	}
	t.Fatalf("the builder lists no build of %s:\n%s", name, r.stdout)
	return ""
}

// attachRef runs `attach REF` in the background with plain progress and
// calls follow once its output shows want (the build's gated step),
// for at most a minute; it waits for attach to end.
func attachRef(t *testing.T, e *env, ref, want string, follow func(*exec.Cmd)) (*exec.Cmd, *lockedBuffer) {
	t.Helper()
	cmd := exec.Command(binPath, "attach", ref, "--builder", "embedded", "--progress", "plain")
	cmd.Env = e.vars
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		for end := time.Now().Add(time.Minute); time.Now().Before(end) && !strings.Contains(out.String(), want); time.Sleep(20 * time.Millisecond) {
		}
		follow(cmd) // never leave the build (and the attach) waiting
	}()
	cmd.Wait()
	return cmd, out
}

// A build another process started is followed from its start to its end.
func TestAttachFollowsAnotherBuild(t *testing.T) {
	e := newColdEnv(t) // attach without a ref follows the newest running build: on a shared builder, another test's
	e.mustRun(t, "builder", "start")
	nonce := history.NewID()
	g := newGate(t)
	step := "RUN echo " + nonce + " && " + g.Step()
	wait := startBuild(t, e, flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\n"+step+"\nRUN echo after-"+nonce+"\n"))
	cmd, out := attachWhenRunning(t, e, openOnAttach(g))
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("attach exited %d:\n%s", code, out)
	}
	for _, want := range []string{"attaching to ", step, "RUN echo after-" + nonce, "DONE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("attach output lacks %q:\n%s", want, out)
		}
	}
	if code, stderr := wait(); code != 0 {
		t.Errorf("the build exited %d:\n%s", code, lastLines(stderr, 10))
	}
}

// Ctrl-C detaches: the build someone else started goes on and succeeds.
func TestAttachDetachLeavesTheBuildRunning(t *testing.T) {
	e := newEnv(t) // it attaches to its build by ref
	e.mustRun(t, "builder", "start")
	nonce := history.NewID()
	// the step waits at a gate the test opens only after the detach
	g := newGate(t)
	dir, name := ownDockerfile(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+nonce+" && "+g.Step()+"\n")
	wait := startBuild(t, e, "-f", filepath.Join(dir, name), dir)
	g.WaitArrived(t)
	// Ctrl-C once attach follows the build, its gated step shown (a
	// barrier: under load the process takes a while to get there)
	cmd, out := attachRef(t, e, runningRef(t, e, name), "echo "+nonce, func(c *exec.Cmd) { c.Process.Signal(syscall.SIGINT) })
	g.Open()
	if !strings.Contains(out.String(), "detached from ") {
		t.Errorf("attach after Ctrl-C (exit %d):\n%s", cmd.ProcessState.ExitCode(), out)
	}
	if code, stderr := wait(); code != 0 {
		t.Errorf("the build exited %d after a detach:\n%s", code, lastLines(stderr, 10))
	}
}

// On a terminal, attach opens the build UI on the other build, with the
// stages BuildKit names; q detaches and the build goes on to succeed.
func TestAttachUIDetachesOnQ(t *testing.T) {
	e := newEnv(t) // it attaches to its build by ref
	e.mustRun(t, "builder", "start")
	nonce := history.NewID()
	g := newGate(t)
	dir, name := ownDockerfile(t, "FROM 127.0.0.1:5015/buildscope/busybox AS waiter\nRUN echo "+nonce+" && "+g.Step()+"\n"+
		"FROM 127.0.0.1:5015/buildscope/busybox\nCOPY --from=waiter /etc/passwd /copied\n")
	wait := startBuild(t, e, "-f", filepath.Join(dir, name), dir)
	g.WaitArrived(t) // the gate stays shut until the UI detached
	envs := e.shellVars(true)
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s attach %s --builder embedded 2>/dev/null; echo EXIT=$?; sleep 60",
		envs, binPath, runningRef(t, e, name))
	capture, send := tmuxSession(t, 120, 30, shell)
	waitScreen(t, capture, "echo "+nonce, 60*time.Second)
	s := capture()
	if !strings.Contains(s, "waiter") {
		t.Errorf("the UI lacks the stage BuildKit names:\n%s", s)
	}
	send("q")
	waitScreen(t, capture, "EXIT=0", 20*time.Second)
	g.Open() // the step goes on only after the UI detached
	if code, stderr := wait(); code != 0 {
		t.Errorf("the build exited %d after the UI detached:\n%s", code, lastLines(stderr, 10))
	}
}

// attach follows a build buildctl started, to its end, and leaves it to
// succeed: a client that is not buildscope, with a RUN that waits.
func TestAttachFollowsABuildctlBuild(t *testing.T) {
	e := newEnv(t) // it attaches to its build by ref
	e.mustRun(t, "builder", "start")
	nonce := history.NewID()
	g := newGate(t)
	step := "RUN echo " + nonce + " && " + g.Step()
	dir, name := ownDockerfile(t, "FROM 127.0.0.1:5015/buildscope/busybox\n"+step+"\nRUN echo after-"+nonce+"\n")
	ctl := exec.Command(buildctlBin(t), "--addr", "unix://"+builderSock(e), "build", "--frontend", "dockerfile.v0", "--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "filename="+name)
	var ctlOut bytes.Buffer
	ctl.Stdout, ctl.Stderr = &ctlOut, &ctlOut
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctl.Process.Kill() })
	g.WaitArrived(t) // the gate opens once attach shows the step
	cmd, out := attachRef(t, e, runningRef(t, e, name), "echo "+nonce, func(*exec.Cmd) { g.Open() })
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("attach exited %d:\n%s", code, out)
	}
	for _, want := range []string{step, "RUN echo after-" + nonce, "DONE"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("attach output lacks %q:\n%s", want, out)
		}
	}
	if err := ctl.Wait(); err != nil {
		t.Errorf("buildctl: %v\n%s", err, lastLines(ctlOut.String(), 10))
	}
}

// On a terminal, Ctrl-C in attach detaches and says that the build goes
// on, and how to follow it again; the build succeeds.
func TestAttachUICtrlCSaysTheBuildGoesOn(t *testing.T) {
	e := newEnv(t) // it attaches to its build by ref
	e.mustRun(t, "builder", "start")
	nonce := history.NewID()
	g := newGate(t) // the build runs on until the UI has detached
	dir, name := ownDockerfile(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+nonce+" && "+g.Step()+"\n")
	wait := startBuild(t, e, "-f", filepath.Join(dir, name), dir)
	g.WaitArrived(t)
	errFile := filepath.Join(t.TempDir(), "stderr")
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s attach %s --builder embedded 2>%s; echo EXIT=$?; sleep 60",
		e.shellVars(true), binPath, runningRef(t, e, name), errFile)
	capture, send := tmuxSession(t, 120, 30, shell)
	waitScreen(t, capture, "echo "+nonce, 60*time.Second)
	send("C-c")
	waitScreen(t, capture, "EXIT=", 20*time.Second)
	g.Open()
	if s := readFile(t, errFile); !strings.Contains(s, "it goes on running") {
		t.Errorf("attach after Ctrl-C does not say the build goes on:\n%s", s)
	}
	if code, stderr := wait(); code != 0 {
		t.Errorf("the build exited %d after the UI detached:\n%s", code, lastLines(stderr, 10))
	}
}

// attach on a builder that keeps no build history (the Docker engine
// 20.10's BuildKit) says so in words, with what to do: not gRPC's
// "Unimplemented … ListenBuildHistory".
func TestAttachOnEngineWithoutHistory(t *testing.T) {
	e := newEnv(t)
	requireDocker(t)
	var v struct{ Builder *struct{ Unknown string } }
	json.Unmarshal([]byte(e.mustRun(t, "version", "--json", "--builder", "docker").stdout), &v)
	if v.Builder == nil || v.Builder.Unknown == "" {
		t.Skip("this engine's BuildKit keeps a build history") // engine 23+: attach works there
	}
	r := e.run(t, nil, "attach", "--builder", "docker")
	if r.code == 0 || strings.Count(r.stderr, "keeps no build history") != 1 || strings.Contains(r.stderr, "Unimplemented") || strings.Contains(r.stderr, "rpc error") {
		t.Errorf("attach on the engine: exit %d:\n%s", r.code, r.stderr)
	}
}
