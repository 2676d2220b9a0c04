package compareview

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/tui/tuitest"
)

// View only draws: on the recorded comparison, in every state the keys
// reach and after resizes, two frames are the same and the program's
// state (the screen's included) is left as it was.
func TestViewIsPure(t *testing.T) {
	r := recorded(t)
	a := app(r, 100, 30)
	frame := func() string { return a.View().Content }
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"start", nil},
		{"expanded", []string{"down", "enter", "down", "enter"}},
		{"file", []string{"down", "enter"}},
		{"steps", []string{"esc", "tab", "down", "enter"}},
		{"changed only", []string{"esc", "tab", "u"}},
		{"largest", []string{"L"}},
		{"filter", []string{"L", "/", "conf", "enter"}},
		{"help", []string{"?"}},
	} {
		keys(a, step.keys...)
		tuitest.Pure(t, step.name, a, frame)
		a.Update(tea.WindowSizeMsg{Width: 57, Height: 17})
		tuitest.Pure(t, step.name+" after a resize", a, frame)
		a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	}
}
