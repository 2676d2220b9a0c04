package buildui

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/tui/stepshell"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// fakeResultShell stands for launch's shell in a completed step's result
// (a build of the same inputs through the gateway): it records the line.
type fakeResultShell struct {
	fakeShell
	line int
}

func (f *fakeResultShell) Said() string {
	return "x: shell at line " + strconv.Itoa(f.line) + " exited 0; 0 step(s) ran again"
}

// withStepShell is st with an opener of shells in completed steps (as
// launch gives the live build and buildscope's replays), a completed RUN
// step selected where there is one.
func withStepShell(st uiState, opened *[]int) uiState {
	return uiState{st.name + "+stepshell", func(t testing.TB, w, h int) *Model {
		m := st.make(t, w, h)
		m.opts.StepShell = func(line int) stepshell.Shell {
			*opened = append(*opened, line)
			return &fakeResultShell{line: line}
		}
		m.focus = paneSteps
		for i := 0; i < 10; i++ {
			if ok, _ := stepshell.OfferResult(m.stepView(), m.opts.StepShell); ok {
				break
			}
			m.Update(tuitest.Key("down"))
		}
		return m
	}}
}

// stepShellStates are the finished states (a live build over, a replay
// of buildscope's record) with x on a completed step.
func stepShellStates() []uiState {
	var out []uiState
	for _, st := range uiStates() {
		if st.name == "done" || st.name == "replay" {
			out = append(out, withStepShell(st, new([]int)))
		}
	}
	return out
}

// On a finished build, x on a completed RUN step is offered, opens the
// shell in that step's result (its line given to the opener) through
// tea.Exec, and once it exits the UI says what the opener said, on the
// same selection.
func TestXOpensAShellInACompletedStep(t *testing.T) {
	for _, st := range uiStates() {
		if st.name != "done" && st.name != "replay" {
			continue
		}
		var opened []int
		m := withStepShell(st, &opened).make(t, 100, 30)
		if !slices.Contains(offeredKeys(m), "x") {
			t.Fatalf("%s: x is not offered on %+v:\n%s", st.name, m.stepView(), screen(m))
		}
		line, sel := m.stepView().Line, m.selStep
		_, cmd := m.Update(tuitest.Key("x"))
		if cmd == nil || len(opened) != 1 || opened[0] != line {
			t.Fatalf("%s: x opened %v, want line %d", st.name, opened, line)
		}
		m.Update(stepshell.ResultDoneMsg{Shell: &fakeResultShell{line: line}})
		if s := screen(m); !strings.Contains(s, "0 step(s) ran again") || m.selStep != sel {
			t.Errorf("%s: after the shell, the note or the selection (%d, was %d):\n%s", st.name, m.selStep, sel, s)
		}
	}
}
