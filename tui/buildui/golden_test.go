package buildui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/buildscope/buildscope/model"
)

// Golden screens at fixed sizes, from real recorded builds with the clock
// fixed. Update with `go test ./tui/buildui -update`.
func TestGoldenScreens(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("running_%dx%d", w, h), func(t *testing.T) {
			events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
			m := newTestModel(t, events, plan, df, w, h, 350*time.Millisecond)
			feed(m, events[:len(events)/2])
			golden.RequireEqual(t, screen(m))
		})
		t.Run(fmt.Sprintf("finished_%dx%d", w, h), func(t *testing.T) {
			events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
			m := newTestModel(t, events, plan, df, w, h, 2*time.Second)
			feed(m, events)
			done(m, model.StatusOK, "")
			golden.RequireEqual(t, screen(m))
		})
		t.Run(fmt.Sprintf("failed_%dx%d", w, h), func(t *testing.T) {
			events, plan, df := recorded(t, "../../testdata/fail.jsonl", "../../testdata/fail/Dockerfile")
			m := newTestModel(t, events, plan, df, w, h, time.Second)
			feed(m, events)
			done(m, model.StatusError, "process did not complete successfully: exit code: 3")
			golden.RequireEqual(t, screen(m))
		})
	}
}

// The timeline (t) of a finished build, at both sizes: the graph build's
// two parallel RUNs side by side, the critical path marked.
func TestGoldenTimeline(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		w, h := size[0], size[1]
		t.Run(fmt.Sprintf("timeline_%dx%d", w, h), func(t *testing.T) {
			events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
			m := newTestModel(t, events, plan, df, w, h, 2*time.Second)
			feed(m, events)
			done(m, model.StatusOK, "")
			m.Update(tea.KeyPressMsg{Code: 't', Text: "t"})
			golden.RequireEqual(t, screen(m))
		})
	}
}
