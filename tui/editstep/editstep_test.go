package editstep

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/buildrun/dockeredit"
)

func heldInstruction(t *testing.T) *dockeredit.Instruction {
	t.Helper()
	df, err := os.ReadFile("../../testdata/held/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	in, err := dockeredit.InstructionAt("Dockerfile", df, 4)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// The editor runs on a temp file holding the instruction as written, and
// what it saved is kept; the temp file is gone after.
func TestEditorCommandRunsOnTheInstruction(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	c := &editorCommand{in: heldInstruction(t), cmdline: "sed -i 's/exit 3/exit 0/'"}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.text, "RUN sh -c 'mkdir -p /tmp/out") || !strings.HasSuffix(c.text, "&& exit 0'\n") {
		t.Errorf("the edited text: %q", c.text)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "*")); len(left) > 0 {
		t.Errorf("temp files left: %v", left)
	}
	c = &editorCommand{in: heldInstruction(t), cmdline: "false"}
	if err := c.Run(); err == nil || !strings.Contains(err.Error(), "nothing re-run") {
		t.Errorf("an editor that fails: %v", err)
	}
}

// An edit that changes nothing re-runs nothing, and says so; a changed
// one is re-run with the text saved, and its outcome is shown.
func TestUpdateReRunsOnlyAChange(t *testing.T) {
	in := heldInstruction(t)
	var got []string
	e := &Edit{Instruction: in, ReRun: func(text string) (*debug.Outcome, error) {
		got = append(got, text)
		return &debug.Outcome{Line: 4, Text: text, Passed: true, ExitCode: -1, Ran: 1, Reused: 2}, nil
	}}
	var s State
	s.Busy = true
	if cmd, note := s.Update(e, Msg{edited: true, Text: in.Text() + "\n"}); cmd != nil || s.Busy || !strings.Contains(note, "unchanged: nothing to re-run") {
		t.Errorf("an unchanged edit: cmd %v, busy %v, %q", cmd != nil, s.Busy, note)
	}
	edited := strings.Replace(in.Text(), "exit 3", "exit 0", 1)
	cmd, note := s.Update(e, Msg{edited: true, Text: edited})
	if cmd == nil || !strings.Contains(note, "re-running the build with line 4 edited") {
		t.Fatalf("a changed edit: no re-run (%q)", note)
	}
	msg := cmd().(Msg)
	if _, note = s.Update(e, msg); len(got) != 1 || got[0] != edited || s.Last == nil || s.Busy ||
		note != "e: the edited step (line 4) passed; 1 step ran, 2 reused (from the cache or the failed build)" {
		t.Errorf("re-ran %q; note %q", got, note)
	}
}
