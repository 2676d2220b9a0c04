package stepshell

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/tui/keyoffer"
)

// Shell is a shell in a completed step's result, run through tea.Exec;
// once it has run, Said is the line the UI shows (how many steps had to
// run again to reach the step, or why no shell opened).
type Shell interface {
	tea.ExecCommand
	Said() string
}

// Opener opens a shell in the result of the step on a Dockerfile line
// (launch: the build's inputs solved again, from the cache, up to that
// step; its result a read-write copy, the build's image unchanged).
type Opener func(line int) Shell

// Step is what of the build UI decides x on a completed step.
type Step struct {
	// Done: the build is over; Failed: the selected step failed (x is
	// failedstep's there).
	Done, Failed bool
	// Line is the step's Dockerfile line (0: unknown); Instruction its
	// instruction ("RUN make", "FROM busybox"…).
	Line        int
	Instruction string
	// Selected: a step is selected; Platforms: how many the build made.
	Selected  bool
	Platforms int
}

// ResultDoneMsg says the shell in a completed step exited.
type ResultDoneMsg struct {
	Err   error
	Shell Shell
}

// OfferResult says whether x opens a shell in st's result, and if not why
// (keyoffer decides). It is not offered on a failed step (failedstep's).
func OfferResult(st Step, open Opener) (bool, string) {
	// with no opener (a followed build, a bake, another client's record)
	// x is failedstep's alone
	o := keyoffer.State{Done: st.Done, Completed: st.Selected && !st.Failed && open != nil}
	switch {
	case !o.Completed:
	case !st.Done:
		o.NoShell = "a shell opens in a completed step's result once the build is over"
	case st.Platforms > 1:
		o.NoShell = "the build made one image per platform: `buildscope debug --platform P --break after:LINE PATH` opens one platform's step"
	case st.Line <= 0:
		o.NoShell = "this step has no Dockerfile line (an internal step): no result to open"
	case strings.EqualFold(strings.Fields(st.Instruction + " x")[0], "FROM"):
		o.NoShell = "a FROM step is the base image: select a step after it"
	}
	return keyoffer.Offer("x", o)
}

// ResultKey is x on a completed step.
var ResultKey = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "shell in step's result"))

// ResultKeys are x when it opens a shell in st's result.
func ResultKeys(st Step, open Opener) []key.Binding {
	if ok, _ := OfferResult(st, open); ok {
		return []key.Binding{ResultKey}
	}
	return nil
}

// OpenResult is x on a completed step: the terminal goes to a shell in
// its result (ResultDoneMsg comes when it exits), or, where x does not
// work, why; note is the line the UI shows meanwhile.
func OpenResult(st Step, open Opener) (cmd tea.Cmd, note string) {
	if ok, why := OfferResult(st, open); !ok {
		return nil, why
	}
	sh := open(st.Line)
	return tea.Exec(sh, func(err error) tea.Msg { return ResultDoneMsg{Err: err, Shell: sh} }),
		"x: a shell in the result of the step on line " + strconv.Itoa(st.Line) + " (the steps up to it solved again, from the cache)…"
}

// ResultNote is the line the UI shows once the shell exited.
func ResultNote(msg ResultDoneMsg) string {
	if msg.Err != nil {
		return "x: " + msg.Err.Error()
	}
	return msg.Shell.Said()
}
