package cdiffrun

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
)

// On BuildKit every exit code of the run is made valid, so that a failing
// command's changes are kept, and BuildKit then reports none. To learn it,
// the command runs under the image's /bin/sh, which writes its exit status
// after a random marker as the last line of the run's log, where
// cutExitStatus takes it out again. An image without /bin/sh runs the
// command as it is, its exit status unknown.

// exitWrapper returns args run under /bin/sh reporting their exit status
// after a new random marker, and the marker.
func exitWrapper(args []string) ([]string, string) {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	marker := "buildscope-exit-status-" + hex.EncodeToString(b)
	// a command sh cannot find is not run: run as it is, runc says why
	// it cannot start (notStarted), as it did before the wrapper
	script := `command -v -- "$1" >/dev/null 2>&1 || { echo >&2; echo ` + marker + ` cannot-start >&2; exit 0; }; "$@"; s=$?; echo >&2; echo ` + marker + ` "$s" >&2`
	return append([]string{"/bin/sh", "-c", script, "sh"}, args...), marker
}

// cannotStart says the wrapper found no command to run: it ran nothing,
// and the command is run again as it is for runc to say why.
func cannotStart(out []byte, marker string) bool {
	return bytes.HasSuffix(out, []byte("\n"+marker+" cannot-start\n"))
}

// cutExitStatus takes the status line exitWrapper's shell wrote out of
// the run's output (with the line break before it) and returns the
// output as the command wrote it and its exit status; ok is false when
// the line is not there (the shell was killed).
func cutExitStatus(out []byte, marker string) (rest []byte, code int, ok bool) {
	i := bytes.LastIndex(out, []byte("\n"+marker+" "))
	if i < 0 {
		return out, 0, false
	}
	line, _, _ := bytes.Cut(out[i+len(marker)+2:], []byte("\n"))
	code, err := strconv.Atoi(string(line))
	if err != nil {
		return out, 0, false
	}
	return out[:i], code, true
}

// CommandExited is the error of a diff whose command exited non-zero (or
// was killed by a signal): the changes it made are shown all the same,
// and buildscope exits with the command's status, as `docker run` does.
type CommandExited struct {
	Code int
}

// Error says how the command exited.
func (e *CommandExited) Error() string {
	if e.Code > 128 && e.Code < 160 {
		return fmt.Sprintf("the command exited %d (killed by signal %d); the changes above are what it made", e.Code, e.Code-128)
	}
	return fmt.Sprintf("the command exited %d; the changes above are what it made", e.Code)
}

// ExitStatus is buildscope's exit status: the command's, when it fits one.
func (e *CommandExited) ExitStatus() int {
	if e.Code > 0 && e.Code < 256 {
		return e.Code
	}
	return 1
}
