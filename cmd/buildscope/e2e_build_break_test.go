package main

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// buildWithStdin runs buildscope with args, stdin given (not a terminal).
func (e *env) buildWithStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = e.vars
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = strings.NewReader(stdin), &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running buildscope %v: %v", args, err)
	}
	return r
}

// build --break on a middle line of the multistage example, in plain
// mode: /bin/sh, reading the commands given on stdin, runs in the input
// state of the step on line 15 (in its WORKDIR, line 14's deps.txt there,
// not line 15's vendor/ nor line 17's src/ nor line 18's /out); then the
// build goes on and completes with its normal output (-o written, the
// done line), its record noting the pause.
func TestBuildBreakPausesInPlainMode(t *testing.T) {
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/multistage")
	out := filepath.Join(t.TempDir(), "out")
	r := e.buildWithStdin(t, "echo ==; pwd; ls /src; test -e /out && echo has-out || echo no-out; echo ==\n",
		"build", "--builder", "embedded", "--progress", "plain", "--break", "15", "-o", "type=local,dest="+out, dir)
	if r.code != 0 {
		t.Fatalf("build --break exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	at := strings.Split(r.stdout, "==\n")
	if len(at) != 3 || at[1] != "/src\ndeps.txt\nno-out\n" {
		t.Errorf("before line 15, want /src, deps.txt alone and no /out; stdout:\n%s", r.stdout)
	}
	for _, want := range []string{"debug: paused before line 15, in its input state", "open it as build:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, lastLines(r.stderr, 30))
		}
	}
	if got := readFile(t, filepath.Join(out, "app", "VERSION")); got != "1.0.0\n" {
		t.Errorf("-o's app/VERSION after the break: %q, want the build's 1.0.0", got)
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusOK || !strings.Contains(b.Debug, "ran `/bin/sh` before line 15 (exit 0)") {
		t.Errorf("record: status %q, debug %q; want a completed build noting the pause", b.Status, b.Debug)
	}
}

// build --break in the build UI (tmux): the build pauses before line 18,
// the UI gives the terminal to a shell in the step's input state (it sees
// line 15's vendor/, not line 18's /out), a command there prints a marker,
// and when the shell exits the build UI is back, the build goes on and
// completes there; the record notes the pause.
func TestBuildBreakInTheUIUnderTmux(t *testing.T) {
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/multistage")
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s build --builder embedded --break 18 %s; echo EXIT=$?; sleep 60", e.shellVars(true), binPath, dir)
	capture, send := tmuxSession(t, 120, 35, shell)
	s := waitScreen(t, capture, "debug: paused before line 18", 90*time.Second)
	if !strings.Contains(s, "exit returns to the build UI") {
		t.Errorf("the shell does not say the build goes on when it exits:\n%s", s)
	}
	waitScreen(t, capture, "/src #", 20*time.Second) // the shell's prompt, in the step's WORKDIR
	send("ls /src; test -e /out || echo NO-OUT-$((6*7))", "Enter")
	s = waitScreen(t, capture, "NO-OUT-42", 20*time.Second)
	if !strings.Contains(s, "vendor") {
		t.Errorf("the shell before line 18 does not see vendor/ (line 15's):\n%s", s)
	}
	send("exit", "Enter")
	waitScreen(t, capture, "the shell exited; the build goes on", 20*time.Second)
	s = waitScreen(t, capture, "✓ done in", 90*time.Second)
	if strings.Contains(s, "EXIT=") {
		t.Errorf("the UI quit after the shell:\n%s", s)
	}
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 30*time.Second); !strings.Contains(s, "EXIT=0") {
		t.Errorf("q after the build: want exit 0:\n%s", s)
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusOK || !strings.Contains(b.Debug, "ran `/bin/sh` before line 18 (exit 0)") {
		t.Errorf("record: status %q, debug %q; want a completed build noting the pause", b.Status, b.Debug)
	}
}

// After a build completes in the build UI, x on a completed step (the
// RUN of line 3) gives the terminal to a shell in that step's result: its
// file is there, line 4's is not; when the shell exits the UI is back on
// the same step, saying how many steps had to run again to reach it
// (none: all from the cache). What the shell wrote is not in the image.
func TestBuildUIShellInCompletedStepUnderTmux(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /work\nRUN echo "+nonce+" > /work/one\nRUN echo two > /work/two\n")
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s build --builder embedded %s; echo EXIT=$?; sleep 60", e.shellVars(true), binPath, dir)
	capture, send := tmuxSession(t, 120, 35, shell)
	toStepsPane(capture, send, waitScreen(t, capture, "done in", 90*time.Second))
	// to line 3's RUN whichever step the build left selected (the one
	// that ran last, or under load another): the top, then two down
	for range 4 {
		send("Up")
	}
	send("Down")
	send("Down")
	s := waitScreen(t, capture, "Logs of [3/4] RUN echo "+nonce, 10*time.Second)
	selection := logsTitle(s)
	if !strings.Contains(s, "x shell in step's result") {
		t.Errorf("x is not offered on a completed step:\n%s", s)
	}
	s = shellOnLineThree(t, capture, send, nonce, "echo changed > /work/one")
	if !strings.Contains(s, "0 step(s) ran again") {
		t.Errorf("a completed build's steps should all come from the cache:\n%s", s)
	}
	if got := logsTitle(s); got != selection {
		t.Errorf("back from the shell, the selection is %q, was %q:\n%s", got, selection, s)
	}
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 30*time.Second); !strings.Contains(s, "EXIT=0") {
		t.Errorf("q after the build: want exit 0:\n%s", s)
	}
	if r := e.run(t, nil, "debug", "--builder", "embedded", "--on", "always", "--invoke", "cat /work/one", dir); r.code != 0 || r.stdout != nonce+"\n" {
		t.Errorf("the built image's /work/one (exit %d): %q, want the step's", r.code, r.stdout)
	}
}

// build --break LINE --on-error pauses only on a failure: no pause at the
// line, and a failing RUN gets the process (commands from stdin) in its
// state, seeing what it wrote; the build still fails as it did.
func TestBuildBreakOnErrorPausesOnlyOnAFailure(t *testing.T) {
	e := newEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /work\nRUN echo one > /work/one\n"+
		"RUN sh -c 'mkdir -p /tmp/out && echo partial > /tmp/out/p && exit 3'\n")
	r := e.buildWithStdin(t, "echo ==; cat /tmp/out/p /work/one\n",
		"build", "--builder", "embedded", "--progress", "plain", "--break", "3", "--on-error", dir)
	if r.code == 0 {
		t.Fatalf("the failing build exited 0:\n%s", lastLines(r.stderr, 20))
	}
	if r.stdout != "==\npartial\none\n" {
		t.Errorf("want the process to run once, in the failed step: stdout %q", r.stdout)
	}
	if strings.Contains(r.stderr, "paused before line 3") || !strings.Contains(r.stderr, "debug: in the failed step's state") {
		t.Errorf("want no pause at line 3 and a process in the failed step:\n%s", lastLines(r.stderr, 30))
	}
}

// In a replay of a recorded build (`history show last` on a terminal), x
// on a completed step builds the record's inputs again up to that step,
// from the cache, and opens a shell in its result; exit comes back to
// the replay, saying how many steps ran again.
func TestReplayShellInCompletedStepUnderTmux(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /work\nRUN echo "+nonce+" > /work/one\nRUN echo two > /work/two\n")
	e.mustRun(t, "build", "--builder", "embedded", "--progress", "plain", dir)
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s history show last; echo EXIT=$?; sleep 60", e.shellVars(true), binPath)
	capture, send := tmuxSession(t, 120, 35, shell)
	s := waitScreen(t, capture, "Steps of", 30*time.Second)
	s = toStepsPane(capture, send, s)
	want := "Logs of [3/4] RUN echo " + nonce
	for i := 0; i < 4 && !strings.Contains(s, want); i++ {
		send("Up")
		time.Sleep(300 * time.Millisecond)
		s = capture()
	}
	for i := 0; i < 4 && !strings.Contains(s, want); i++ {
		send("Down")
		time.Sleep(300 * time.Millisecond)
		s = capture()
	}
	if !strings.Contains(s, want) || !strings.Contains(s, "x shell in step's result") {
		t.Fatalf("line 3's step with x offered not reached:\n%s", s)
	}
	s = shellOnLineThree(t, capture, send, nonce, "")
	if !strings.Contains(s, "0 step(s) ran again") || !strings.Contains(s, want) {
		t.Errorf("back in the replay: want the note and the same step:\n%s", s)
	}
}

// toStepsPane tabs (at most three times) until the UI's Steps pane has
// the focus, from the screen s; it returns the screen then.
func toStepsPane(capture func(...string) string, send func(...string), s string) string {
	for i := 0; i < 3 && !strings.Contains(s, "▸ Steps of"); i++ {
		send("Tab")
		time.Sleep(300 * time.Millisecond)
		s = capture()
	}
	return s
}

// shellOnLineThree presses x on the selected completed step, line 3's
// (`RUN echo NONCE > /work/one`), checks in the shell that its file is
// there and line 4's /work/two is not, runs then (when not ""), exits,
// and returns the screen once the UI says how many steps ran again.
func shellOnLineThree(t *testing.T, capture func(...string) string, send func(...string), nonce, then string) string {
	t.Helper()
	send("x")
	waitScreen(t, capture, "/work #", 60*time.Second)
	cmd := "cat /work/one; test -e /work/two || echo NO-TWO-$((2+3))"
	if then != "" {
		cmd += "; " + then
	}
	send(cmd, "Enter")
	if s := waitScreen(t, capture, "NO-TWO-5", 20*time.Second); !strings.Contains(s, nonce) {
		t.Errorf("the shell does not see the step's file:\n%s", s)
	}
	send("exit", "Enter")
	return waitScreen(t, capture, "ran again to reach it", 30*time.Second)
}
