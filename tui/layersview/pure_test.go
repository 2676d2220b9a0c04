package layersview

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// recordedImage is the image of the recorded container scenario, with its
// layer list and analysis.
func recordedImage(t *testing.T) ([]layers.LayerInfo, *layers.Analysis) {
	t.Helper()
	return analyse(t, tuitest.ScenarioImage(t, "../.."))
}

// View only draws (it no longer records where it put the list and the
// tree for the mouse): in every state the keys reach, as a sub-view and
// as the standalone program, after resizes too.
func TestViewIsPure(t *testing.T) {
	infos, a := recordedImage(t)
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, Options{Title: "recorded", Infos: infos})
	app := NewApp(Options{Title: "recorded", Infos: infos})
	app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	tuitest.Pure(t, "reading", m, m.View)
	m.Update(DoneMsg{Analysis: a})
	app.Update(DoneMsg{Analysis: a})
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"analysed", nil},
		{"last layer", []string{"down", "down"}},
		{"tree", []string{"tab", "down", "enter", "down", "down"}},
		{"layer only, by size", []string{"a", "o"}},
		{"changed only", []string{"u"}},
		{"filter", []string{"/", "d", "a", "t", "a", "enter"}},
		{"largest", []string{"L", "down"}},
		{"preview", []string{"p"}},
	} {
		for _, k := range tuitest.Keys(step.keys...) {
			m.Update(k)
			app.Update(k)
		}
		tuitest.Pure(t, step.name, m, m.View)
		tuitest.Pure(t, step.name+", program", app, func() string { return app.View().Content })
		m.SetSize(57, 13)
		app.Update(tea.WindowSizeMsg{Width: 57, Height: 13})
		tuitest.Pure(t, step.name+" after a resize", m, m.View)
		tuitest.Pure(t, step.name+", program after a resize", app, func() string { return app.View().Content })
		m.SetSize(100, 30)
		app.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	}
}
