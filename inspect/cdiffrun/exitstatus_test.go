package cdiffrun

import (
	"errors"
	"os/exec"
	"testing"
)

// The wrapper's shell reports the command's exit status (a signal's
// too) after its marker; cutting it out gives back the output exactly as
// the command wrote it, with or without a last line break, and a forged
// status line with another marker is output like any other.
func TestExitWrapperReportsTheStatus(t *testing.T) {
	for _, c := range []struct {
		script string
		out    string
		code   int
	}{
		{"echo hi; exit 3", "hi\n", 3},
		{"printf 'no newline'; exit 0", "no newline", 0},
		{"echo buildscope-exit-status-000000000000000000000000 0 >&2; exit 7", "buildscope-exit-status-000000000000000000000000 0\n", 7},
		{"kill -9 $$", "Killed\n", 137}, // the wrapper shell says so, as it would on a terminal
	} {
		args, marker := exitWrapper([]string{"sh", "-c", c.script})
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		rest, code, ok := cutExitStatus(out, marker)
		if !ok || code != c.code || string(rest) != c.out {
			t.Errorf("%q: output %q code %d (%v), want %q %d", c.script, rest, code, ok, c.out, c.code)
		}
	}
	if _, _, ok := cutExitStatus([]byte("killed\n"), "buildscope-exit-status-x"); ok {
		t.Error("a status read from output without one")
	}
	if got := (&CommandExited{Code: 3}).ExitStatus(); got != 3 {
		t.Errorf("exit status %d, want 3", got)
	}
}

// A command the shell cannot find is not run under it: the wrapper says
// so, and the command runs again as it is, for runc to say why it cannot
// start.
func TestExitWrapperCannotStart(t *testing.T) {
	for _, cmd := range []string{"/no/such/bin", "no-such-command-bs"} {
		args, marker := exitWrapper([]string{cmd, "arg"})
		out, _ := exec.Command(args[0], args[1:]...).CombinedOutput()
		if !cannotStart(out, marker) {
			t.Errorf("%s: output %q, want the cannot-start line", cmd, out)
		}
	}
	args, marker := exitWrapper([]string{"true"})
	if out, _ := exec.Command(args[0], args[1:]...).CombinedOutput(); cannotStart(out, marker) {
		t.Errorf("true cannot start: %q", out)
	}
}
