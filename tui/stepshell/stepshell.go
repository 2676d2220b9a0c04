// Package stepshell is the build UI's part of a build paused at a
// --break line (launch runs the UI's build through a gateway that pauses
// there): the UI says which line it is paused at, gives the terminal to a
// shell in the step's input state (tea.Exec), and, when the shell exits,
// takes the terminal back on the same screen and lets the build go on.
// The build UI routes its messages here and shows the note returned.
package stepshell

import (
	tea "charm.land/bubbletea/v2"
)

// Pause is a break the build waits at.
type Pause struct {
	// Where is the pause in a few words ("before line 15").
	Where string
	// Shell runs a shell there on the terminal the UI gives up (tea.Exec).
	Shell tea.ExecCommand
	// Continue lets the build go on.
	Continue func()
	// Note, when not "", is a line about a break that did not pause (no
	// step on that line…): shown, with no shell and nothing to continue.
	Note string
}

// Msg says the build is paused at a break.
type Msg struct{ Pause Pause }

// DoneMsg says the shell at the pause exited and the UI has the terminal
// back; Err says why it did not run, when it did not.
type DoneMsg struct{ Err error }

// Wait delivers the next pause of the build (nil: a build with no
// breaks, nothing to wait for).
func Wait(ch <-chan Pause) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		p, ok := <-ch
		if !ok {
			return nil
		}
		return Msg{p}
	}
}

// State is the pause the build is at, if any.
type State struct {
	at *Pause
}

// Paused says where the build is paused ("" when it is not).
func (s *State) Paused() string {
	if s.at == nil {
		return ""
	}
	return s.at.Where
}

// Update takes Msg (the terminal goes to a shell at the pause) and
// DoneMsg (the build goes on, and the next pause is awaited on ch); it
// returns the command and the line the UI shows meanwhile.
func (s *State) Update(msg tea.Msg, ch <-chan Pause) (tea.Cmd, string) {
	switch msg := msg.(type) {
	case Msg:
		if msg.Pause.Note != "" {
			return Wait(ch), msg.Pause.Note
		}
		s.at = &msg.Pause
		if msg.Pause.Shell == nil {
			s.at.Continue()
			s.at = nil
			return Wait(ch), "--break " + msg.Pause.Where + ": no shell to open; the build goes on"
		}
		return tea.Exec(msg.Pause.Shell, func(err error) tea.Msg { return DoneMsg{err} }),
			"⏸ paused " + msg.Pause.Where + ": a shell in the step's input state; exit goes on with the build"
	case DoneMsg:
		if s.at == nil {
			return nil, ""
		}
		where := s.at.Where
		s.at.Continue()
		s.at = nil
		if msg.Err != nil {
			return Wait(ch), "--break " + where + ": " + msg.Err.Error() + "; the build goes on"
		}
		return Wait(ch), "--break " + where + ": the shell exited; the build goes on"
	}
	return nil, ""
}
