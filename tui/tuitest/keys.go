// Package tuitest helps the views' tests: the key presses a user types,
// named as the help line names them.
package tuitest

import tea "charm.land/bubbletea/v2"

// Key is the press of the key named s: "enter", "esc", "tab", "space",
// "up", "down", "left", "right", "pgup", "pgdown", "home", "end",
// "ctrl+c", "ctrl+u", "ctrl+d", or any one character ("q", "/", "é").
func Key(s string) tea.KeyPressMsg {
	if k, ok := named[s]; ok {
		return k
	}
	return tea.KeyPressMsg{Code: []rune(s)[0], Text: s}
}

// named are the keys Key knows by name.
var named = map[string]tea.KeyPressMsg{
	"ctrl+c": {Code: 'c', Mod: tea.ModCtrl},
	"ctrl+u": {Code: 'u', Mod: tea.ModCtrl},
	"ctrl+d": {Code: 'd', Mod: tea.ModCtrl},
	"tab":    {Code: tea.KeyTab},
	"enter":  {Code: tea.KeyEnter},
	"esc":    {Code: tea.KeyEscape},
	"space":  {Code: tea.KeySpace, Text: " "},
	"up":     {Code: tea.KeyUp},
	"down":   {Code: tea.KeyDown},
	"left":   {Code: tea.KeyLeft},
	"right":  {Code: tea.KeyRight},
	"pgup":   {Code: tea.KeyPgUp},
	"pgdown": {Code: tea.KeyPgDown},
	"home":   {Code: tea.KeyHome},
	"end":    {Code: tea.KeyEnd},
}

// Keys is the presses of each key named, one after another.
func Keys(names ...string) []tea.KeyPressMsg {
	out := make([]tea.KeyPressMsg, len(names))
	for i, n := range names {
		out[i] = Key(n)
	}
	return out
}
