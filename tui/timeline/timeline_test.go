package timeline

import (
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/buildscope/buildscope/model/trace"

	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// recorded is the timeline of a real build's recorded status stream.
func recorded(t *testing.T) *trace.Timeline {
	t.Helper()
	return trace.New("graph", modeltest.LoadEvents(t, "../../testdata/graph-cold.jsonl"), nil)
}

// View only draws: nothing run yet, the recorded build scrolled, zoomed
// and moved through, after resizes too.
func TestViewIsPure(t *testing.T) {
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	m := New(common.Common{Width: 100, Height: 30, Styles: &styles, Keys: &keys}, nil)
	tuitest.Pure(t, "nothing yet", m, m.View)
	m.SetTimeline(recorded(t))
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"recorded", nil},
		{"moved", []string{"down", "down", "down"}},
		{"zoomed", []string{"+", "+", "l"}},
		{"bottom", []string{"G"}},
		{"zoomed out", []string{"-", "h"}},
	} {
		for _, k := range tuitest.Keys(step.keys...) {
			m.Update(k)
		}
		tuitest.Pure(t, step.name, m, m.View)
		m.SetSize(47, 11)
		tuitest.Pure(t, step.name+" after a resize", m, m.View)
		m.SetSize(100, 30)
	}
}
