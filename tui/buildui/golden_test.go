package buildui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// goldenSizes are the smallest terminal the UI is laid out for and a
// large one.
var goldenSizes = [][2]int{{80, 24}, {200, 60}}

// Golden screens of the build view in every state of the UI, and of each
// view a state offers (c, s, d, t) once its work is in, with the full
// help (?) of the build view, at both sizes, from recorded builds with
// the clock fixed. Update with `go test ./tui/buildui -update`.
func TestGoldenScreens(t *testing.T) {
	for _, size := range goldenSizes {
		w, h := size[0], size[1]
		for _, st := range uiStates() {
			for _, path := range [][]string{nil, {"?"}, {"c"}, {"s"}, {"d"}, {"t"}, {"t", "?"}, {"i"}, {"i", "?"}} {
				name := "build"
				if path != nil {
					name = strings.Join(path, "")
				}
				t.Run(fmt.Sprintf("%s_%s_%dx%d", st.name, name, w, h), func(t *testing.T) {
					m := st.make(t, w, h)
					for _, k := range path {
						if ok, _ := m.offer(keyNamed(m, k)); !ok && k != "?" {
							t.Skipf("%s is not offered in %s", k, st.name)
						}
						_, cmd := m.Update(tuitest.Key(k))
						settleAll(m, cmd, 200)
					}
					golden.RequireEqual(t, screen(m))
				})
			}
		}
	}
}

// keyNamed is the view key whose first key is k.
func keyNamed(m *Model, k string) (b key.Binding) {
	for _, v := range m.viewKeys() {
		if v.Keys()[0] == k {
			return v
		}
	}
	return m.keys.Help
}

// The timeline (t) of a finished build, at both sizes: the graph build's
// two parallel RUNs side by side, the critical path marked.
func TestGoldenTimeline(t *testing.T) {
	for _, size := range goldenSizes {
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
