// Package tuitest helps the views' tests: the key presses a user types,
// named as the help line names them.
package tuitest

import tea "charm.land/bubbletea/v2"

// Key is the press of the key named s: "enter", "esc", "tab", "space",
// "up", "down", "left", "right", "pgup", "pgdown", "home", "end",
// "ctrl+c", "ctrl+u", "ctrl+d", or any one character ("q", "/", "é").
func Key(s string) tea.KeyPressMsg {
	switch s {
	case "ctrl+c":
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "ctrl+u", "ctrl+d":
		return tea.KeyPressMsg{Code: rune(s[5]), Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

// Keys is the presses of each key named, one after another.
func Keys(names ...string) []tea.KeyPressMsg {
	out := make([]tea.KeyPressMsg, len(names))
	for i, n := range names {
		out[i] = Key(n)
	}
	return out
}
