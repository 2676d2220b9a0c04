package main

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

// --break pauses the multistage example before the steps on lines 15 and
// 18 of its builder stage: the process sees what the steps before each
// made (deps.txt; then vendor/ and src/ too) and not what the step itself
// or later ones make (vendor/ at 15; /out at 18), in the step's WORKDIR.
// A line with no step is said and skipped, and the build completes after
// the pauses, its record saying what ran; what the process wrote at a
// break is not in the build.
func TestDebugBreakPausesInTheStepsInputState(t *testing.T) {
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/multistage")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--break", "18,13,15",
		"--invoke", "echo ==; pwd; ls /src; test -e /out && echo has-out || echo no-out; test -e /app && echo has-app || echo no-app; "+
			"test -d /src/src && echo leaked-from-the-break > /src/src/lib.sh; true", dir)
	if r.code != 0 {
		t.Fatalf("debug --break exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	at := strings.Split(r.stdout, "==\n")
	if len(at) != 3 {
		t.Fatalf("want the process to run at 2 breaks, stdout:\n%s", r.stdout)
	}
	if want := "/src\ndeps.txt\nno-out\nno-app\n"; at[1] != want {
		t.Errorf("before line 15: %q, want %q", at[1], want)
	}
	if want := "/src\ndeps.txt\nsrc\nvendor\nno-out\nno-app\n"; at[2] != want {
		t.Errorf("before line 18: %q, want %q", at[2], want)
	}
	for _, want := range []string{"debug: --break 13: no step of this build is on line 13", "debug: paused before line 15", "debug: paused before line 18"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, lastLines(r.stderr, 30))
		}
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusOK || !strings.Contains(b.Debug, "before line 15 (exit 0)") || !strings.Contains(b.Debug, "before line 18 (exit 0)") {
		t.Errorf("record: status %q, debug %q; want a completed build naming both pauses", b.Status, b.Debug)
	}
	// what the process wrote at the break (over line 18's input) is not in
	// the build: the step ran on its input as the steps before it made it
	if r := e.run(t, nil, "debug", "--builder", "embedded", "--on", "always", "--invoke", "cat /app/lib.sh", dir); r.code != 0 || r.stdout == "" || strings.Contains(r.stdout, "leaked") {
		t.Errorf("the built image's /app/lib.sh (exit %d): %q", r.code, r.stdout)
	}
}

// Without --invoke, on a terminal, --break opens an interactive shell in
// the step's input state; the build goes on and completes when it exits.
func TestDebugBreakOpensAShellOnATerminal(t *testing.T) {
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/multistage")
	shell := fmt.Sprintf("env TERM=xterm %s %s debug --builder embedded --break 18 %s; echo EXIT=$?; sleep 60", e.shellVars(true), binPath, dir)
	capture, send := tmuxSession(t, 120, 40, shell)
	waitScreen(t, capture, "paused before line 18", 90*time.Second)
	send("ls /src; test -e /out || echo NO-OUT-$((6*7))", "Enter")
	waitScreen(t, capture, "NO-OUT-42", 20*time.Second)
	// the shell's terminal is its own: the build's progress, which
	// BuildKit's display prints late, waits until the shell exits (it
	// was printed under the prompt, and scrolled the shell's output away)
	s := capture("-S", "-")
	_, inShell, _ := strings.Cut(s, "BusyBox") // from the shell's banner
	if !strings.Contains(inShell, "vendor") {
		t.Errorf("the shell before line 18 does not see vendor/ (line 15's):\n%s", s)
	}
	if progress := regexp.MustCompile(`#\d+ `).FindString(inShell); progress != "" {
		t.Errorf("the build's progress (%q) was printed over the shell:\n%s", progress, inShell)
	}
	send("exit", "Enter")
	s = waitScreen(t, capture, "EXIT=", 60*time.Second)
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "open it as build:") {
		t.Errorf("after the shell exited, the build did not complete:\n%s", s)
	}
}

// --break after:LINE opens the process in the result of the step on that
// line (issue 29: a shell in a completed step): after line 15 the step's
// vendor/ is there and src/ is not; after a COPY (line 17) src/ is, as
// root in /; after line 18 /out is. What the process changes there is not
// in the build, which completes, its record naming each pause.
func TestDebugBreakAfterOpensInTheStepsResult(t *testing.T) {
	e := newEnv(t)
	dir := copyDir(t, "../../assets/examples/multistage")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--break", "after:18,after:15,after:17",
		"--invoke", "echo ==; pwd; ls /src; test -e /out/VERSION && echo has-out || echo no-out; rm -rf /out; true", dir)
	if r.code != 0 {
		t.Fatalf("debug --break after: exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	at := strings.Split(r.stdout, "==\n")
	if len(at) != 4 {
		t.Fatalf("want the process to run at 3 breaks, stdout:\n%s", r.stdout)
	}
	for i, want := range []string{"/src\ndeps.txt\nvendor\nno-out\n", "/\ndeps.txt\nsrc\nvendor\nno-out\n", "/src\nbuild\ndeps.txt\nsrc\nvendor\nhas-out\n"} {
		if at[i+1] != want {
			t.Errorf("after line %d: %q, want %q", []int{15, 17, 18}[i], at[i+1], want)
		}
	}
	for _, want := range []string{"debug: paused after line 15, in its result (cwd /src", "debug: paused after line 17, not a RUN", "debug: paused after line 18, in its result"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, lastLines(r.stderr, 30))
		}
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusOK || !strings.Contains(b.Debug, "after line 15 (exit 0)") || !strings.Contains(b.Debug, "after line 18 (exit 0)") {
		t.Errorf("record: status %q, debug %q; want a completed build naming the pauses", b.Status, b.Debug)
	}
	// the rm -rf /out after line 18 changed a copy: the image has /app/VERSION
	if r := e.run(t, nil, "debug", "--builder", "embedded", "--on", "always", "--invoke", "cat /app/VERSION", dir); r.code != 0 || r.stdout != "1.0.0\n" {
		t.Errorf("the built image's /app/VERSION (exit %d): %q", r.code, r.stdout)
	}
	if r := e.run(t, nil, "debug", "--builder", "embedded", "--break", "after:x", dir); r.code == 0 || !strings.Contains(r.stderr, "after:LINE to pause after a step") {
		t.Errorf("--break after:x: exit %d, %s", r.code, r.stderr)
	}
}
