package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
)

// A shell in a failed step follows the terminal's size (issue 29: "raw
// mode, resize forwarded"): `stty size` in the step's container reads
// the window's size when the shell opens and again after the window is
// resized, from `buildscope debug` and from the build UI's x.
func TestDebugShellFollowsTheTerminalsSize(t *testing.T) {
	e := newEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+history.NewID()+" && exit 3\n")
	for _, c := range []struct{ name, args, ready, open string }{
		{"debug", "debug --builder embedded", "in the failed step's state", ""},
		{"build UI", "build --builder embedded", "held for a shell", "x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			shell := fmt.Sprintf("env TERM=xterm-256color %s %s %s %s; echo EXIT=$?; sleep 60", e.shellVars(true), binPath, c.args, dir)
			capture, send, resize := tmuxWindow(t, 100, 30, shell)
			waitScreen(t, capture, c.ready, 90*time.Second)
			if c.open != "" {
				send(c.open)
				waitScreen(t, capture, "exit returns", 20*time.Second)
			}
			// the shell's prompt first: the window's size is sent to the
			// process once it started, which a command typed ahead can beat
			waitScreen(t, capture, "/ #", 20*time.Second)
			send("clear; stty size", "Enter")
			waitScreen(t, capture, "30 100\n", 20*time.Second)
			// the new size reaches the container asynchronously (SIGWINCH,
			// then the builder's resize): ask until it says so
			resize(90, 25)
			for deadline := time.Now().Add(20 * time.Second); ; {
				send("clear; stty size", "Enter")
				time.Sleep(500 * time.Millisecond)
				if strings.Contains(capture(), "25 90\n") {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the shell never saw the window's new size 25x90:\n%s", capture())
				}
			}
			send("exit", "Enter")
		})
	}
}
