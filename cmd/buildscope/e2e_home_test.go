package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildscope alone on a terminal opens the history list: buildscope's
// build and buildctl's on the same builder, who made each; enter replays
// buildctl's build with its Dockerfile stages, q comes back to the list, c
// says why buildscope's build ran what it ran, q leaves with exit 0.
// Without a terminal it prints the help.
func TestHomeScreenUnderTmux(t *testing.T) {
	e := newEnv(t)
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
	var envs []string
	for _, v := range e.vars {
		if strings.HasPrefix(v, "XDG_") || strings.HasPrefix(v, "BUILDSCOPE_") || strings.HasPrefix(v, "PATH=") || v == "NO_COLOR=1" {
			envs = append(envs, "'"+v+"'")
		}
	}
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s; echo EXIT=$?; sleep 60", strings.Join(envs, " "), binPath)
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
