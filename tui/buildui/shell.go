package buildui

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
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
}

// heldMsg says the build failed and the builder holds the failed step.
type heldMsg struct{ held Held }

// shellDoneMsg says the shell exited and the UI has the terminal back.
type shellDoneMsg struct{ err error }

// waitHeld delivers the held step once the build fails.
func waitHeld(ch <-chan Held) tea.Cmd {
	return func() tea.Msg {
		h, ok := <-ch
		if !ok {
			return nil
		}
		return heldMsg{h}
	}
}

// shellKey is x: a shell in the failed step.
func (m *Model) shellKey() key.Binding {
	return key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "shell in failed step"))
}

// heldHere says the selected step is the failed one the builder holds.
func (m *Model) heldHere() bool {
	st, ok := m.selected()
	if !ok || st.Error == "" || m.held == nil {
		return false
	}
	return m.held.Digest == "" || m.held.Digest == st.Digest
}

// offerShell says whether x works now, and if not why (keyoffer decides).
func (m *Model) offerShell() (bool, string) {
	st, ok := m.selected()
	s := keyoffer.State{Done: m.done, StepFailed: ok && st.Error != ""}
	switch {
	case m.heldHere() && m.held.Why != "":
		s.NoShell = m.held.Why
	case m.heldHere() && m.held.Shell != nil && !m.released:
		s.Held = true
	case m.opts.Replay != nil:
		s.NoShell = "a recorded build keeps no step open: `buildscope debug PATH` builds again and opens a shell in the failed step (it runs again)"
	case m.opts.Held == nil:
		s.NoShell = "no step of this build is held here (followed, or a bake): `buildscope debug PATH` builds again and opens a shell in the failed step (it runs again)"
	}
	return keyoffer.Offer("x", s)
}

// shellKeys are x when it works: only on the failed step, in the build view.
func (m *Model) shellKeys() []key.Binding {
	if ok, _ := m.offerShell(); ok && m.view == viewBuild {
		return []key.Binding{m.shellKey()}
	}
	return nil
}

// openShell is x: the terminal goes to a shell in the failed step, and
// the UI comes back as it was when the shell exits.
func (m *Model) openShell() tea.Cmd {
	if ok, why := m.offerShell(); !ok {
		m.note = why
		return nil
	}
	m.note = "x: a shell in the failed step; exit comes back here"
	return tea.Exec(m.held.Shell, func(err error) tea.Msg { return shellDoneMsg{err} })
}

// shellDone is the UI back from the shell.
func (m *Model) shellDone(msg shellDoneMsg) {
	m.note = ""
	if msg.err != nil {
		m.note = "x: " + msg.err.Error()
	}
}

// releaseHeld lets a held build end: q quits once it has.
func (m *Model) releaseHeld() tea.Cmd {
	m.released, m.quitWhenDone = true, true
	if m.held.Release != nil {
		m.held.Release()
	}
	m.note = "ending the build (the builder lets the failed step go)…"
	return nil
}

// holding says the builder holds the failed step and the build waits.
func (m *Model) holding() bool { return m.held != nil && m.held.Shell != nil && !m.released && !m.done }

// maxWrote is how many changed paths the error box lists; the rest are
// counted.
const maxWrote = 8

// wroteLines are what the failed step wrote, beside its error: one line
// per changed path (A/C/D, path, size), or what is unknown about it.
func (m *Model) wroteLines() []string {
	if _, _, ok := m.failure(); !ok {
		return nil
	}
	st, ok := m.selected()
	if !ok || st.Error == "" {
		return nil
	}
	switch {
	case m.heldHere() && m.held.WroteUnknown != "":
		return []string{"what the step wrote is unknown: " + m.held.WroteUnknown}
	case m.heldHere():
		if len(m.held.Wrote) == 0 {
			return []string{"the step wrote no file (vs its input)"}
		}
		out := []string{fmt.Sprintf("the step wrote (%d paths, vs its input):", len(m.held.Wrote))}
		for i, c := range m.held.Wrote {
			if i == maxWrote {
				more := fmt.Sprintf("  … %d more", len(m.held.Wrote)-maxWrote)
				if ok, _ := m.offerShell(); ok {
					more += " (x opens a shell to look)"
				}
				out = append(out, more)
				break
			}
			size := c.Size[1]
			if c.Kind == "D" {
				size = c.Size[0]
			}
			out = append(out, fmt.Sprintf("  %s %s  %s", c.Kind, model.Printable(c.Path), model.HumanSize(size)))
		}
		return out
	case m.opts.Replay != nil:
		return []string{"what the step wrote is unknown: a recorded build keeps no step's files (`buildscope debug PATH` lists them)"}
	case m.opts.Held == nil:
		return nil // a build this UI does not hold (attach, bake): nothing to say beside its error
	case !m.done:
		return []string{"what the step wrote: reading it from the builder…"}
	}
	return []string{"what the step wrote is unknown: the builder did not hold the failed step"}
}

// heldHeader is the header's status while the builder holds the failed
// step (the footer says q ends the build).
func (m *Model) heldHeader() string {
	status := m.styles.Failed.Render("✗ failed") + " · the step is held for a shell"
	if ok, _ := m.offerShell(); ok {
		status += " (x)"
	}
	return status
}
