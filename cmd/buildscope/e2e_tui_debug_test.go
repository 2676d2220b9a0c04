package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// The build UI on a terminal, on a RUN step that fails: the builder holds
// the step, what it wrote shows beside the error, x gives the terminal to
// a shell in the step's state (its files, its WORKDIR; the failed command
// printed first), and when the shell exits the build UI is back with the
// same step selected; x opens it again (nothing re-run); q ends the build
// as failed, its record naming the shell.
func TestTUIShellInFailedStepUnderTmux(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /work\nRUN echo "+nonce+" > /work/one\n"+
		"RUN sh -c 'mkdir -p /tmp/out && echo partial > /tmp/out/p && exit 3'\n")
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s build --builder embedded %s; echo EXIT=$?; sleep 60", e.shellVars(true), binPath, dir)
	capture, send := tmuxSession(t, 120, 35, shell)
	s := waitScreen(t, capture, "held for a shell", 90*time.Second)
	for _, want := range []string{"x shell in failed step", "A /tmp/out/p  8B", "exit code: 3"} {
		if !strings.Contains(s, want) {
			t.Errorf("the held failed build lacks %q:\n%s", want, s)
		}
	}
	selection := logsTitle(s)
	if !strings.Contains(selection, "mkdir -p /tmp/out") {
		t.Fatalf("the failed step is not the one selected (%q):\n%s", selection, s)
	}

	send("x")
	t0 := time.Now()
	s = waitScreen(t, capture, "exit returns to the build UI", 20*time.Second)
	waitScreen(t, capture, "/work #", 20*time.Second) // the shell's prompt, in the WORKDIR
	t.Logf("x to the shell's prompt: %s (measured, not asserted; polled every 100 ms)", time.Since(t0))
	if !strings.Contains(s, "mkdir -p /tmp/out && echo partial > /tmp/out/p && exit 3") {
		t.Errorf("the shell does not print the failed command ready to re-run:\n%s", s)
	}
	send("cat /tmp/out/p /work/one; echo MARK-$((6*7)); stty size", "Enter")
	s = waitScreen(t, capture, "\n35 120", 20*time.Second) // stty, last: the shell has the terminal's size
	for _, want := range []string{"partial", nonce, "MARK-42"} {
		if !strings.Contains(s, want) {
			t.Errorf("the shell does not see the step's files, or did not run the command (%q):\n%s", want, s)
		}
	}
	send("exit", "Enter")
	s = waitScreen(t, capture, "held for a shell", 20*time.Second)
	if got := logsTitle(s); got != selection {
		t.Errorf("back from the shell, the selection is %q, was %q:\n%s", got, selection, s)
	}

	send("x") // again: the builder still holds the step
	waitScreen(t, capture, "exit returns to the build UI", 20*time.Second)
	send("test -f /tmp/out/p && echo AGAIN-$((2+3))", "Enter")
	waitScreen(t, capture, "AGAIN-5", 20*time.Second)
	send("exit", "Enter")
	waitScreen(t, capture, "held for a shell", 20*time.Second)

	send("q")
	if s := waitScreen(t, capture, "EXIT=", 30*time.Second); !strings.Contains(s, "EXIT=1") {
		t.Errorf("q on the held build: want it to end as failed (exit 1):\n%s", s)
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusError || !strings.Contains(b.Debug, "a debug session ran `/bin/sh`") {
		t.Errorf("record: status %q, debug %q; want a failed build naming the shell", b.Status, b.Debug)
	}
}

// logsTitle is the line of the screen that names the step whose logs
// show: the selection.
func logsTitle(screen string) string {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, "Logs of "); i >= 0 {
			return strings.TrimSpace(l[i:])
		}
	}
	return ""
}
