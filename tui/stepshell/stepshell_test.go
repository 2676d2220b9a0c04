package stepshell

import (
	"errors"
	"io"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

type fakeCmd struct{}

func (fakeCmd) Run() error          { return nil }
func (fakeCmd) SetStdin(io.Reader)  {}
func (fakeCmd) SetStdout(io.Writer) {}
func (fakeCmd) SetStderr(io.Writer) {}
func (fakeCmd) Said() string        { return "said" }

// x on a completed step is offered only where a shell can open in its
// result; elsewhere it says why in one line starting with x.
func TestOfferResult(t *testing.T) {
	open := Opener(func(int) Shell { return fakeCmd{} })
	run := Step{Done: true, Selected: true, Line: 3, Instruction: "RUN make", Platforms: 1}
	if ok, why := OfferResult(run, open); !ok {
		t.Errorf("a completed RUN: not offered (%s)", why)
	}
	for name, c := range map[string]struct {
		st   Step
		open Opener
		want string
	}{
		"running":        {Step{Selected: true, Line: 3, Instruction: "RUN make"}, open, "once the build is over"},
		"FROM":           {Step{Done: true, Selected: true, Line: 1, Instruction: "FROM busybox"}, open, "FROM step"},
		"multi-platform": {Step{Done: true, Selected: true, Line: 3, Instruction: "RUN make", Platforms: 2}, open, "one image per platform"},
		"no line":        {Step{Done: true, Selected: true, Instruction: "[internal] load"}, open, "no Dockerfile line"},
		"failed step":    {Step{Done: true, Selected: true, Failed: true, Line: 3, Instruction: "RUN make"}, open, "failed RUN step"},
		"no opener":      {run, nil, "failed RUN step"},
	} {
		ok, why := OfferResult(c.st, c.open)
		if ok || !strings.HasPrefix(why, "x: ") || !strings.Contains(why, c.want) {
			t.Errorf("%s: offered %v, %q; want why with %q", name, ok, why, c.want)
		}
	}
}

// A pause gives the terminal to its shell; when the shell exits, the
// build is continued and the next pause awaited; a pause with no shell is
// continued at once.
func TestPauseUpdate(t *testing.T) {
	ch := make(chan Pause, 1)
	var s State
	continued := 0
	cmd, note := s.Update(Msg{Pause{Where: "before line 18", Shell: fakeCmd{}, Continue: func() { continued++ }}}, ch)
	if cmd == nil || !strings.Contains(note, "paused before line 18") || s.Paused() != "before line 18" || continued != 0 {
		t.Fatalf("on a pause: cmd %v, note %q, paused %q, continued %d", cmd != nil, note, s.Paused(), continued)
	}
	cmd, note = s.Update(DoneMsg{}, ch)
	if cmd == nil || continued != 1 || s.Paused() != "" || !strings.Contains(note, "the build goes on") {
		t.Fatalf("after the shell: cmd %v, continued %d, paused %q, note %q", cmd != nil, continued, s.Paused(), note)
	}
	ch <- Pause{Where: "after line 3", Continue: func() { continued++ }}
	if msg, ok := cmd().(Msg); !ok || msg.Pause.Where != "after line 3" {
		t.Fatalf("the next pause: %#v", msg)
	}
	_, note = s.Update(Msg{Pause{Where: "after line 3", Continue: func() { continued++ }}}, ch)
	if continued != 2 || !strings.Contains(note, "no shell") {
		t.Errorf("a pause with no shell: continued %d, note %q", continued, note)
	}
	_, note = s.Update(DoneMsg{Err: errors.New("boom")}, ch) // no pause: nothing
	if note != "" {
		t.Errorf("a DoneMsg with no pause: %q", note)
	}
	var _ tea.ExecCommand = fakeCmd{}
	cmd, note = s.Update(Msg{Pause{Note: "--break 13: no step of this build is on line 13: not paused"}}, ch)
	if cmd == nil || !strings.Contains(note, "line 13: not paused") || s.Paused() != "" {
		t.Errorf("a break that did not pause: cmd %v, note %q, paused %q", cmd != nil, note, s.Paused())
	}
}
