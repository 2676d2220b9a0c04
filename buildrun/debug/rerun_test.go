package debug

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An outcome says in one line whether the edited step passed, failed
// with its exit code or how, or passed with a later step failing, and
// how many steps ran; the record's note names the edit.
func TestOutcomeResult(t *testing.T) {
	for _, c := range []struct {
		o    Outcome
		want string
	}{
		{Outcome{Line: 4, Passed: true, ExitCode: -1, Ran: 1, Reused: 2}, "the edited step (line 4) passed; 1 step ran, 2 reused (from the cache or the failed build)"},
		{Outcome{Line: 3, ExitCode: 5, Err: "exit code: 5", Ran: 1, Reused: 1}, "the edited step (line 3) failed (exit code 5); 1 step ran, 1 reused (from the cache or the failed build)"},
		{Outcome{Line: 3, ExitCode: -1, Err: "dockerfile parse error on line 3: unknown instruction: RUNN"}, "the edited step (line 3) failed: dockerfile parse error on line 3: unknown instruction: RUNN; 0 steps ran, 0 reused (from the cache or the failed build)"},
		{Outcome{Line: 3, Passed: true, ExitCode: -1, Err: "a later step failed: exit code: 1", Ran: 2}, "the edited step (line 3) passed; a later step failed: exit code: 1; 2 steps ran, 0 reused (from the cache or the failed build)"},
	} {
		if got := c.o.Result(); got != c.want {
			t.Errorf("Result:\n%s\nwant:\n%s", got, c.want)
		}
	}
	o := Outcome{Line: 4, Text: "RUN a \\\n  && b", Passed: true, ExitCode: -1, Ran: 1, Reused: 2}
	if got, want := o.Note(), "a debug session re-ran line 4 edited to `RUN a \\ && b`: passed; 1 step ran, 2 reused (from the cache or the failed build)"; got != want {
		t.Errorf("Note:\n%s\nwant:\n%s", got, want)
	}
}

// debug's flags: --write-back alone is refused (it writes an edit);
// --edit without $EDITOR edits in vi and says so; --edit-with wins; the
// Dockerfile is PATH's unless -f names one.
func TestNewCLISessionEditFlags(t *testing.T) {
	var said strings.Builder
	if _, err := NewCLISession(Flags{On: "error", WriteBack: true, Context: "."}, os.Stdin, io.Discard, &said); err == nil || !strings.Contains(err.Error(), "give --edit") {
		t.Errorf("--write-back alone: %v", err)
	}
	t.Setenv("EDITOR", "")
	s, err := NewCLISession(Flags{On: "error", Edit: true, Context: "ctx"}, os.Stdin, io.Discard, &said)
	if err != nil || s.EditWith != "vi" || !strings.Contains(said.String(), "$EDITOR is not set: the edit opens in vi") || s.Dockerfile != filepath.Join("ctx", "Dockerfile") {
		t.Errorf("--edit without $EDITOR: %+v %v, said %q", s, err, said.String())
	}
	s, err = NewCLISession(Flags{On: "error", Edit: true, EditWith: "sed -i s/a/b/", WriteBack: true, Dockerfile: "other.Dockerfile", Context: "ctx"}, os.Stdin, io.Discard, io.Discard)
	if err != nil || s.EditWith != "sed -i s/a/b/" || !s.WriteBack || s.Dockerfile != "other.Dockerfile" {
		t.Errorf("--edit-with, -f: %+v %v", s, err)
	}
}
