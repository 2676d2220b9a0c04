// Package failedstep is the build UI's part of a failed RUN step that the
// builder holds open for a shell (launch runs the UI's builds through a
// gateway that keeps it): whether x opens a shell there and, if not, why
// (keyoffer decides); the shell itself, given the terminal through
// tea.Exec; q letting the build end; and what the step wrote, listed
// beside its error. The build UI routes to it and draws what it returns.
package failedstep

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/editstep"
	"github.com/buildscope/buildscope/tui/keyoffer"
)

// Held is a failed RUN step the builder keeps open while the build UI
// shows it (the build's gateway session is kept): x opens a shell in it,
// as often as asked, with no step run again; q lets the build end.
type Held struct {
	// Digest is the failed vertex's ("": BuildKit did not say; the
	// failed step shown is the one).
	Digest string
	// Step is the failed command, ready to re-run; Cwd and User where and
	// as whom it ran.
	Step, Cwd, User string
	// Why, when not "", says why no shell can open (not a RUN…).
	Why string
	// Wrote is what the step changed against its input; WroteUnknown,
	// when not "", says why that is unknown.
	Wrote        []compare.FileChange
	WroteUnknown string
	// Shell runs the shell on the terminal the UI gives up (tea.Exec);
	// nil when Why says why none.
	Shell tea.ExecCommand
	// Release lets the build end (as failed).
	Release func()
	// Edit edits the failed instruction and re-runs it (e); nil: no
	// edit here.
	Edit *editstep.Edit
}

// Msg says the build failed and the builder holds the failed step.
type Msg struct{ Held Held }

// ShellDoneMsg says the shell exited and the UI has the terminal back.
type ShellDoneMsg struct{ Err error }

// Wait delivers the held step once the build fails.
func Wait(ch <-chan Held) tea.Cmd {
	return func() tea.Msg {
		h, ok := <-ch
		if !ok {
			return nil
		}
		return Msg{h}
	}
}

// Key is x: a shell in the failed step.
var Key = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "shell in failed step"))

// View is what of the build UI decides x: the selected step, the build's
// state, and where the build comes from.
type View struct {
	// StepFailed: the selected step failed; Digest is its vertex's.
	StepFailed bool
	Digest     string
	// Done: the build is over; Replay: shown from its record; Holding:
	// the UI's build runs through the gateway that holds a failed step.
	Done, Replay, Holding bool
}

// State is the failed step the builder holds, once it says so.
type State struct {
	Held *Held
	// Released: q let the held build end; QuitWhenDone: and the UI quits
	// once it has.
	Released, QuitWhenDone bool
	// Edit is the edited re-run's progress (e, w).
	Edit editstep.State
}

// Here says the selected step is the failed one the builder holds.
func (s *State) Here(v View) bool {
	return v.StepFailed && s.Held != nil && (s.Held.Digest == "" || s.Held.Digest == v.Digest)
}

// Holding says the builder holds the failed step and the build waits.
func (s *State) Holding(done bool) bool {
	return s.Held != nil && s.Held.Shell != nil && !s.Released && !done
}

// Offer says whether x works in v, and if not why (keyoffer decides).
func (s *State) Offer(v View) (bool, string) { return s.OfferKey("x", v) }

// OfferKey says whether k (x, e or w) works in v, and if not why
// (keyoffer decides).
func (s *State) OfferKey(k string, v View) (bool, string) {
	o := keyoffer.State{Done: v.Done, StepFailed: v.StepFailed, Busy: s.Edit.Busy, Edited: s.Edit.Last != nil, Written: s.Edit.Written}
	switch {
	case s.Here(v) && s.Held.Why != "":
		o.NoShell = s.Held.Why
	case s.Here(v) && s.Held.Shell != nil && !s.Released:
		o.Held = true
	case v.Replay:
		o.NoShell = "a recorded build keeps no step open: `buildscope debug PATH` builds again and opens a shell in the failed step (it runs again)"
	case !v.Holding:
		o.NoShell = "no step of this build is held here (followed, or a bake): `buildscope debug PATH` builds again and opens a shell in the failed step (it runs again)"
	}
	switch {
	case s.Here(v) && s.Held.Edit == nil:
		o.NoEdit = "this build's failed instruction cannot be edited here"
	case s.Here(v) && s.Held.Edit.Instruction == nil:
		o.NoEdit = s.Held.Edit.NoEdit
	}
	return keyoffer.Offer(k, o)
}

// Keys are x, e and w where they work in v.
func (s *State) Keys(v View) []key.Binding {
	var out []key.Binding
	for _, b := range []key.Binding{Key, editstep.Key, editstep.WriteKey} {
		if ok, _ := s.OfferKey(b.Help().Key, v); ok {
			out = append(out, b)
		}
	}
	return out
}

// Claims says msg is one of x, e and w.
func (s *State) Claims(msg tea.KeyPressMsg) bool {
	return key.Matches(msg, Key, editstep.Key, editstep.WriteKey)
}

// Press is x, e or w pressed in v: what to run, and the line the UI
// shows.
func (s *State) Press(msg tea.KeyPressMsg, v View) (tea.Cmd, string) {
	k := msg.String()
	if ok, why := s.OfferKey(k, v); !ok {
		return nil, why
	}
	switch k {
	case "e":
		return s.Edit.Open(s.Held.Edit)
	case "w":
		return nil, s.Edit.Write(s.Held.Edit)
	}
	return s.Open(v)
}

// EditMsg is the editor's or the edited re-run's end (editstep's).
type EditMsg = editstep.Msg

// Done takes the end of the shell (ShellDoneMsg) or of the editor or the
// edited re-run (EditMsg): what to run next, and the line the UI shows
// ("": none).
func (s *State) Done(msg tea.Msg) (tea.Cmd, string) {
	switch msg := msg.(type) {
	case ShellDoneMsg:
		if msg.Err != nil {
			return nil, "x: " + msg.Err.Error()
		}
	case EditMsg:
		if s.Held != nil && s.Held.Edit != nil {
			return s.Edit.Update(s.Held.Edit, msg)
		}
	}
	return nil, ""
}

// Open is x: the terminal goes to a shell in the failed step (ShellDoneMsg
// comes when it exits), or, where x does not work, why; note is the line
// the UI shows meanwhile.
func (s *State) Open(v View) (cmd tea.Cmd, note string) {
	if ok, why := s.Offer(v); !ok {
		return nil, why
	}
	return tea.Exec(s.Held.Shell, func(err error) tea.Msg { return ShellDoneMsg{err} }), "x: a shell in the failed step; exit comes back here"
}

// Release lets a held build end, and the UI quit once it has; it returns
// the line the UI shows meanwhile.
func (s *State) Release() string {
	s.Released, s.QuitWhenDone = true, true
	if s.Held.Release != nil {
		s.Held.Release()
	}
	return "ending the build (the builder lets the failed step go)…"
}

// Header is the header's status while the builder holds the failed step
// (the footer says q ends the build).
func (s *State) Header(st *common.Styles, v View) string {
	status := st.Failed.Render("✗ failed") + " · the step is held for a shell"
	if ok, _ := s.Offer(v); ok {
		status += " (x)"
	}
	return status
}
