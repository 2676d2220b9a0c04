package buildui

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// On the held failed step, e (edit and re-run) is in the footer and w is
// not; once an edited re-run is shown, beside the error are its result,
// how many steps ran, the edit and the step's log, and w is offered; w
// writes the edit, says where, and is offered no more.
func TestEditedReRunShownAndWrittenOnW(t *testing.T) {
	m, _ := heldModel(t, 140, 40)
	if s := screen(m); !strings.Contains(s, "e edit & re-run step") || strings.Contains(s, "w write edit") {
		t.Fatalf("the held failed step: want e offered, w not:\n%s", s)
	}
	if _, cmd := m.Update(tuitest.Key("w")); cmd != nil || !strings.Contains(screen(m), "w: writes an edited instruction") {
		t.Errorf("w before an edit: want one line saying why:\n%s", screen(m))
	}
	written := 0
	m.fstep.Held.Edit.WriteBack = func(o *debug.Outcome) (string, error) { written++; return "/ctx/Dockerfile", nil }
	o := &debug.Outcome{Line: 4, Text: "RUN sh -c 'echo RERAN && exit 0'", Passed: true, ExitCode: -1, Ran: 1, Reused: 2, Log: []byte("RERAN\n")}
	m.Update(failedstep.EditMsg{Outcome: o})
	s := screen(m)
	for _, want := range []string{"edited line 4 re-ran: passed", "1 step ran, 2 reused", "echo RERAN && exit 0", "  RERAN",
		"e: the edited step (line 4) passed; 1 step ran, 2 reused", "Dockerfile is unchanged (w writes"} {
		if !strings.Contains(s, want) {
			t.Errorf("after the edited re-run, the screen lacks %q:\n%s", want, s)
		}
	}
	m.note = "" // the footer, once the line is read
	if s := screen(m); !strings.Contains(s, "w write edit to Dockerfile") {
		t.Errorf("after the edited re-run, w is not offered:\n%s", s)
	}
	m.Update(tuitest.Key("w"))
	if s := screen(m); written != 1 || !strings.Contains(s, "w: wrote the edit of line 4 to /ctx/Dockerfile") || !strings.Contains(s, "written to /ctx/Dockerfile") {
		t.Errorf("w: written %d times; screen:\n%s", written, s)
	}
	if m.note = ""; strings.Contains(screen(m), "w write edit") {
		t.Errorf("w is still offered once the edit is written:\n%s", screen(m))
	}
}
