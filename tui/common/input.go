package common

import tea "charm.land/bubbletea/v2"

// Input is a one-line text prompt (a search or a filter): typed text,
// backspace, enter to accept, esc to give up.
type Input struct {
	Active bool
	Text   string
}

// Start opens the prompt, empty.
func (in *Input) Start() { in.Active, in.Text = true, "" }

// Key handles a key while the prompt is open; accepted is true when enter
// closed it (esc closes it without accepting).
func (in *Input) Key(msg tea.KeyPressMsg) (accepted bool) {
	switch msg.String() {
	case "enter":
		in.Active = false
		return true
	case "esc":
		in.Active = false
	case "backspace":
		if r := []rune(in.Text); len(r) > 0 {
			in.Text = string(r[:len(r)-1])
		}
	default:
		in.Text += msg.Text
	}
	return false
}
