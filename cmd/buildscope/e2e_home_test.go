package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
)

// buildscope alone on a terminal opens the history list: buildscope's
// build and buildctl's on the same builder, who made each; enter replays
// buildctl's build with its Dockerfile stages, q comes back to the list, c
// says why buildscope's build ran what it ran, q leaves with exit 0.
// Without a terminal it prints the help.
func TestHomeScreenUnderTmux(t *testing.T) {
	e := newColdEnv(t) // the builder's own history, whole: the list holds its 2 builds and enter opens the newest
	dir := flagDir(t, foreignDockerfile)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\n"), 0o644)
	own, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("two\n"), 0o644)
	ref, err := foreignBuild(t, e, buildctlBin(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	if r := e.mustRun(t); !strings.Contains(r.stdout, "Usage:") {
		t.Errorf("without a terminal: %q", r.stdout)
	}
	envs := e.shellVars(true)
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s; echo EXIT=$?; sleep 60", envs, binPath)
	capture, send := tmuxSession(t, 130, 24, shell)
	s := waitScreen(t, capture, ref, 30*time.Second)
	if !strings.Contains(s, "buildscope history · embedded  2 builds") || !lineWith(s, own.ID, "buildscope") || !lineWith(s, ref, "other") {
		t.Errorf("the list lacks a build or who made it:\n%s", s)
	}
	send("Enter") // the newest: buildctl's
	s = waitScreen(t, capture, "Steps of", 30*time.Second)
	if !strings.Contains(s, "prep") || !strings.Contains(s, "(other)") {
		t.Errorf("the replay lacks the Dockerfile's stage:\n%s", s)
	}
	send("q")
	waitScreen(t, capture, "2 builds", 20*time.Second)
	send("c")
	s = waitScreen(t, capture, "Cache of build "+ref, 30*time.Second)
	if !strings.Contains(s, "COPY a.txt /a.txt") {
		t.Errorf("the why of buildctl's build:\n%s", s)
	}
	send("Escape") // back from the why view to the list
	waitScreen(t, capture, "DURATION", 20*time.Second)
	// two marked builds open the compare view: A buildscope's build (the
	// second row), B buildctl's, imported with its record first
	send("j")
	send("Space")
	send("k")
	send("Space")
	waitScreen(t, capture, "build:"+ref, 60*time.Second)
	send("q")
	waitScreen(t, capture, "DURATION", 20*time.Second)
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 20*time.Second); !strings.Contains(s, "EXIT=0") {
		t.Errorf("after q:\n%s", s)
	}
}

// lineWith says whether a line of s holds the words a and then b.
func lineWith(s, a, b string) bool {
	for _, l := range strings.Split(s, "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			for i := range f[:len(f)-1] {
				if f[i] == a && f[i+1] == b {
					return true
				}
			}
		}
	}
	return false
}

// A build buildctl is running shows in the list's running section; enter
// attaches the build UI to it, q detaches back to the list, and the build
// goes on to succeed. The builder is shared: the list is filtered (/) by
// the build's Dockerfile name, the test's own, to its one row.
func TestHomeScreenAttachesToARunningBuild(t *testing.T) {
	e := newEnv(t)
	e.mustRun(t, "builder", "start")
	nonce := history.NewID()
	g := newGate(t)
	dir, name := ownDockerfile(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+nonce+" && "+g.Step()+"\n")
	ctl := exec.Command(buildctlBin(t), "--addr", "unix://"+builderSock(e), "build", "--progress", "plain", "--frontend", "dockerfile.v0", "--local", "context="+dir, "--local", "dockerfile="+dir,
		"--opt", "filename="+name)
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ctl.Process.Kill() })
	// the list is read when it opens: open it once the RUN waits at the
	// gate, which stays shut until the UI has detached
	g.WaitArrived(t)
	envs := e.shellVars(true)
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s; echo EXIT=$?; sleep 60", envs, binPath)
	capture, send := tmuxSession(t, 130, 24, shell)
	waitScreen(t, capture, "DURATION", 30*time.Second)
	send("/")
	send("-l", name)
	send("Enter")
	waitScreen(t, capture, "match", 20*time.Second)
	if s := capture(); !strings.Contains(s, "running") {
		t.Fatalf("the list filtered to the build of %s does not show it running:\n%s", name, s)
	}
	send("Enter")
	waitScreen(t, capture, "echo "+nonce, 30*time.Second)
	send("q")
	waitScreen(t, capture, "DURATION", 20*time.Second) // the list, read again
	g.Open()
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 20*time.Second); !strings.Contains(s, "EXIT=0") {
		t.Errorf("after q:\n%s", s)
	}
	if err := ctl.Wait(); err != nil {
		t.Errorf("buildctl after the detach: %v", err)
	}
}

// At 80x24, the path a newcomer takes: the history list, enter replays a
// build (its status in the header, ? and q in the footer), i opens its
// image, esc comes back to the replay and esc again to the list, q
// leaves with exit 0.
func TestHomeReplayInspectorBackUnderTmux(t *testing.T) {
	e := newEnv(t)
	b, r := e.build(t, "--builder", "embedded", "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("build: %s", lastLines(r.stderr, 10))
	}
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s --builder embedded; echo EXIT=$?; sleep 60", e.shellVars(true), binPath)
	capture, send := tmuxSession(t, 80, 24, shell)
	waitScreen(t, capture, "DURATION", 30*time.Second)
	send("/")
	send("-l", b.ID)
	send("Enter")
	waitScreen(t, capture, "match", 20*time.Second)
	send("Enter")
	s := waitScreen(t, capture, "Steps of", 30*time.Second)
	for _, want := range []string{"✓ done", "? help", "q quit", "esc back"} {
		if !strings.Contains(s, want) {
			t.Errorf("the replay at 80x24 lacks %q:\n%s", want, s)
		}
	}
	send("i")
	s = waitScreen(t, capture, "efficiency", 60*time.Second)
	if !strings.Contains(s, "Files as of layer") {
		t.Errorf("the inspector:\n%s", s)
	}
	send("Escape")
	waitScreen(t, capture, "Steps of", 20*time.Second)
	send("Escape")
	waitScreen(t, capture, "DURATION", 20*time.Second)
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 20*time.Second); !strings.Contains(s, "EXIT=0") {
		t.Errorf("after q:\n%s", s)
	}
}
