package timeline

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/buildscope/buildscope/model/trace"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// recorded is the timeline of a real build's recorded status stream.
func recorded(t *testing.T) *trace.Timeline {
	t.Helper()
	f, err := os.Open("../../testdata/graph-cold.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []*client.SolveStatus
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var s client.SolveStatus
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		events = append(events, &s)
	}
	return trace.New("graph", events, nil)
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
