package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
)

// tmuxSession runs a shell command in a detached tmux session of the
// given size and returns a function that captures the pane.
// colourSGR matches an SGR sequence that sets a foreground or background
// colour (not the defaults 39/49).
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|4[0-7]|10[0-7]|38;|48;)[0-9;]*m`)

func tmuxSession(t *testing.T, w, h int, shell string) (capture func(flags ...string) string, send func(keys ...string)) {
	t.Helper()
	capture, send, _ = tmuxWindow(t, w, h, shell)
	return capture, send
}

// tmuxWindow is tmuxSession that also gives a function resizing the
// window, as a user dragging the terminal's corner does.
func tmuxWindow(t *testing.T, w, h int, shell string) (capture func(flags ...string) string, send func(keys ...string), resize func(w, h int)) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Fatalf("tmux is needed for this test (make deps installs it): %v", err)
	}
	name := "bs-" + history.NewID()
	// a UTF-8 terminal whatever the tests' locale (under LANG=C the UI
	// draws ASCII: tests of that set it themselves)
	shell = "export LANG=C.UTF-8; " + shell
	// a tmux server of the test's own (-L): on the shared default server,
	// one test ending its last session stopped the server while another
	// test's new-session was connecting ("server exited unexpectedly")
	if out, err := exec.Command("tmux", "-L", name, "new-session", "-d", "-s", name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", name, "kill-server").Run() })
	capture = func(flags ...string) string {
		out, _ := exec.Command("tmux", append([]string{"-L", name, "capture-pane", "-p", "-t", name}, flags...)...).Output()
		return string(out)
	}
	send = func(keys ...string) {
		if out, err := exec.Command("tmux", append([]string{"-L", name, "send-keys", "-t", name}, keys...)...).CombinedOutput(); err != nil {
			t.Fatalf("tmux send-keys: %v %s", err, out)
		}
	}
	resize = func(w, h int) {
		if out, err := exec.Command("tmux", "-L", name, "resize-window", "-t", name, "-x", fmt.Sprint(w), "-y", fmt.Sprint(h)).CombinedOutput(); err != nil {
			t.Fatalf("tmux resize-window: %v %s", err, out)
		}
	}
	return capture, send, resize
}

func waitScreen(t *testing.T, capture func(...string) string, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var s string
	for time.Now().Before(deadline) {
		if s = capture(); strings.Contains(s, want) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%q never appeared; screen:\n%s", want, s)
	return ""
}

// The real binary on a terminal: the graph shows every stage, the build
// finishes in the UI, q exits 0 and the screen is restored.
func TestTUIBuildUnderTmux(t *testing.T) {
	shared := newEnv(t)
	envs := shared.shellVars(true)
	shell := fmt.Sprintf("env TERM=xterm-256color %s %s build --builder embedded ../../testdata/graph; echo EXIT=$?; sleep 60", envs, binPath)
	capture, send := tmuxSession(t, 100, 30, shell)
	s := waitScreen(t, capture, "done in", 90*time.Second)
	// NO_COLOR is set for the tests: bold and reverse, but no colour
	if esc := capture("-e"); !strings.Contains(esc, "\x1b[1m") || colourSGR.MatchString(esc) {
		t.Errorf("NO_COLOR: want bold and no colour; found %q", colourSGR.FindString(esc))
	}
	for _, want := range []string{"stage-0", "assets", "compile", "combine", "image", "├─┴─┘", "Steps of", "Logs of"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	send("q")
	s = waitScreen(t, capture, "EXIT=", 20*time.Second)
	if !strings.Contains(s, "EXIT=0") {
		t.Errorf("exit status:\n%s", s)
	}
	if strings.Contains(s, "Stages") || strings.Contains(s, "Logs of") {
		t.Errorf("the UI is still on the screen after quitting:\n%s", s)
	}
	if !strings.Contains(s, "open it as build:") {
		t.Errorf("no summary after the UI:\n%s", s)
	}
}

// On a terminal whose locale is not UTF-8 (LANG=C) the build UI draws
// its graph, marks and spinner in ASCII: the same screen, no byte above
// 0x7f (the views draw UTF-8; common.Run puts the frames in ASCII).
func TestTUIBuildInASCIIUnderTmux(t *testing.T) {
	e := newEnv(t)
	shell := fmt.Sprintf("env TERM=xterm-256color LANG=C LC_ALL= LC_CTYPE= %s %s build --builder embedded ../../testdata/graph; echo EXIT=$?; sleep 60", e.shellVars(true), binPath)
	capture, send := tmuxSession(t, 100, 30, shell)
	s := waitScreen(t, capture, "done in", 90*time.Second)
	for _, want := range []string{"stage-0", "combine", "+-+-+", "Steps of"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
	for _, r := range s {
		if r > 0x7f {
			t.Errorf("%q drawn on an ASCII terminal:\n%s", r, s)
			break
		}
	}
	send("q")
	waitScreen(t, capture, "EXIT=", 20*time.Second)
}

// inspect on a terminal opens the inspector on the real image: the layer
// list, then the tree; q exits 0.
func TestTUIInspectUnderTmux(t *testing.T) {
	shared := newEnv(t)
	b, r := shared.build(t, "--builder", "embedded", "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("build: %s", lastLines(r.stderr, 10))
	}
	envs := shared.shellVars(false)
	shell := fmt.Sprintf("env %s %s inspect build:%s; echo EXIT=$?; sleep 60", envs, binPath, b.ID)
	capture, send := tmuxSession(t, 120, 35, shell)
	s := waitScreen(t, capture, "efficiency", 30*time.Second)
	for _, want := range []string{"4 layers", "WORKDIR /app", "COPY /out/ /app/", "Files as of layer 0", "bin/"} {
		if !strings.Contains(s, want) {
			t.Errorf("inspector lacks %q:\n%s", want, s)
		}
	}
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 20*time.Second); !strings.Contains(s, "EXIT=0") || strings.Contains(s, "efficiency") {
		t.Errorf("after q:\n%s", s)
	}
}

// shellVars is the environment a command typed into a tmux session
// needs to reach this test's state, builder and binaries, quoted for
// the shell: XDG_*, BUILDSCOPE_* and PATH, and NO_COLOR when noColor.
func (e *env) shellVars(noColor bool) string {
	var vars []string
	for _, v := range e.vars {
		if strings.HasPrefix(v, "XDG_") || strings.HasPrefix(v, "BUILDSCOPE_") || strings.HasPrefix(v, "PATH=") || (noColor && v == "NO_COLOR=1") {
			vars = append(vars, "'"+v+"'")
		}
	}
	return strings.Join(vars, " ")
}
