package main

import (
	"bytes"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun"
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

// attachWhenRunning runs `attach` (with args) until a build is running to
// attach to, for at most a minute.
func attachWhenRunning(t *testing.T, e *env, start func(*exec.Cmd)) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		cmd := exec.Command(binPath, "attach", "--builder", "embedded", "--progress", "plain")
		cmd.Env = e.vars
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		start(cmd)
		cmd.Wait()
		if !strings.Contains(out.String(), "no build is running") {
			return cmd, &out
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no build became attachable within a minute")
	return nil, nil
}

// A build another process started is followed from its start to its end.
func TestAttachFollowsAnotherBuild(t *testing.T) {
	e := newEnv(t)
	e.mustRun(t, "builder", "start")
	nonce := buildrun.NewID()
	wait := startBuild(t, e, flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+nonce+" && sleep 2\nRUN echo after-"+nonce+"\n"))
	cmd, out := attachWhenRunning(t, e, func(*exec.Cmd) {})
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("attach exited %d:\n%s", code, out)
	}
	for _, want := range []string{"attaching to ", "RUN echo " + nonce + " && sleep 2", "RUN echo after-" + nonce, "DONE"} {
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
	e := newEnv(t)
	e.mustRun(t, "builder", "start")
	nonce := buildrun.NewID()
	wait := startBuild(t, e, flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+nonce+" && sleep 3\n"))
	cmd, out := attachWhenRunning(t, e, func(c *exec.Cmd) {
		time.AfterFunc(time.Second, func() { c.Process.Signal(syscall.SIGINT) })
	})
	if !strings.Contains(out.String(), "detached from ") {
		t.Errorf("attach after Ctrl-C (exit %d):\n%s", cmd.ProcessState.ExitCode(), out)
	}
	if code, stderr := wait(); code != 0 {
		t.Errorf("the build exited %d after a detach:\n%s", code, lastLines(stderr, 10))
	}
}
