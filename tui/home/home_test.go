package home

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/tuitest"
)

func init() { time.Local = time.UTC } // the golden screens print start times

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// rows is a history: one build running on the builder, then three
// finished (buildscope's, an imported one, and buildctl's on the builder).
func rows() []model.HistoryRow {
	return []model.HistoryRow{
		{ID: "qk2running000000000000001", From: model.FromBuilder, By: "other", Status: model.StatusRunning, Started: t0.Add(50 * time.Second), Cached: 1, Total: 3, Vertices: true},
		{ID: "0524017c190f", From: model.FromBuildscope, By: "buildscope", Status: model.StatusOK, Started: t0.Add(30 * time.Second), Completed: t0.Add(31 * time.Second), Cached: 2, Total: 10, Dockerfile: "/src/app/Dockerfile", Target: "production"},
		{ID: "fjypdwtzogqbe06cli0l8jad3", From: model.FromBuildscope, By: "other", Status: model.StatusError, Started: t0.Add(20 * time.Second), Completed: t0.Add(22 * time.Second), Cached: 1, Total: 4, Dockerfile: "Dockerfile"},
		{ID: "jukggtdaajplng1ld5e04fzif", From: model.FromBuilder, By: "other", Status: model.StatusOK, Started: t0, Completed: t0.Add(1080 * time.Millisecond), Cached: 0, Total: 8, Vertices: true, Dockerfile: "ci.Dockerfile"},
	}
}

// newLoaded is a list of size w×h that has run its first load.
func newLoaded(t *testing.T, w, h int, explain func(context.Context, model.HistoryRow) (*model.Build, *why.Explanation, error)) *Model {
	t.Helper()
	m := New(Options{Title: "embedded", Now: func() time.Time { return t0.Add(time.Minute) }, Explain: explain,
		Load: func(context.Context) ([]model.HistoryRow, error) { return rows(), nil }})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	m.Update(m.Init()())
	return m
}

func press(m *Model, keys ...string) tea.Cmd {
	var last tea.Cmd
	for _, k := range tuitest.Keys(keys...) {
		_, last = m.Update(k)
	}
	return last
}

// Golden screens at two sizes. Update with `go test ./tui/home -update`.
func TestGoldenHome(t *testing.T) {
	for _, size := range [][2]int{{80, 12}, {120, 14}, {80, 24}, {200, 60}} {
		t.Run(fmt.Sprintf("list_%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newLoaded(t, size[0], size[1], nil)
			press(m, "down")
			golden.RequireEqual(t, []byte(ansi.Strip(m.Render())))
		})
		t.Run(fmt.Sprintf("help_%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newLoaded(t, size[0], size[1], nil)
			press(m, "down", "?")
			golden.RequireEqual(t, []byte(ansi.Strip(m.Render())))
		})
	}
}

// At 80 columns the list keeps what says most: the builds' whole IDs in
// a column as wide as they are, the end of a long Dockerfile path, no BY
// column when one client made every build; the footer keeps ? and q;
// ? shows every key, on as many lines as it takes.
func TestHomeAt80Columns(t *testing.T) {
	rs := rows()[1:]
	for i := range rs {
		rs[i].By = "buildscope"
		rs[i].ID = fmt.Sprintf("%012d", i) // buildscope's IDs are 12 characters
		rs[i].Dockerfile = "/tmp/very/long/path/to/the/project/under/test/" + rs[i].Dockerfile
	}
	m := New(Options{Title: "embedded", Now: func() time.Time { return t0.Add(time.Minute) },
		Load: func(context.Context) ([]model.HistoryRow, error) { return rs, nil }})
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(m.Init()())
	s := ansi.Strip(m.Render())
	for _, want := range []string{"000000000000 12:00:30", "Dockerfile · production", "? help", "q quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("80x24 lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, " BY ") || strings.Contains(s, "buildscope 11-25") {
		t.Errorf("a BY column that says buildscope on every row:\n%s", s)
	}
	press(m, "?")
	s = ansi.Strip(m.Render())
	for _, want := range []string{"enter", "replay", "/", "filter", "q", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("? lacks %q:\n%s", want, s)
		}
	}
}

// Every key the footer or ? offers, on each row (running, finished),
// changes the screen, or quits with a choice: none is a silent no-op.
func TestHomeEveryOfferedKeyDoesSomething(t *testing.T) {
	for sel := 0; sel < len(rows()); sel++ {
		probe := newLoaded(t, 100, 20, func(context.Context, model.HistoryRow) (*model.Build, *why.Explanation, error) { return nil, nil, nil })
		probe.sel = sel
		var keys []string
		for _, g := range probe.helpKeys() {
			for _, b := range g {
				keys = append(keys, b.Keys()[0])
			}
		}
		for _, k := range keys {
			m := newLoaded(t, 100, 20, func(context.Context, model.HistoryRow) (*model.Build, *why.Explanation, error) { return nil, nil, nil })
			m.sel = sel
			if o, ok := map[string]string{"up": "down", "down": "up"}[k]; ok && (sel == 0 && k == "up" || sel == len(rows())-1 && k == "down") {
				press(m, o) // a move at the end of the list moves once away from it
			}
			before := m.Render()
			cmd := press(m, k)
			quit := cmd != nil && fmt.Sprint(cmd()) == fmt.Sprint(tea.Quit())
			if !quit && m.Render() == before {
				t.Errorf("row %d: %q is offered and does nothing:\n%s", sel, k, ansi.Strip(m.Render()))
			}
		}
	}
}

// Running builds come first; enter replays a finished build and attaches
// to a running one; i inspects, a attaches only to a running build.
func TestKeysHandBackChoices(t *testing.T) {
	m := newLoaded(t, 120, 14, nil)
	if press(m, "a"); m.Choice().Kind != ChoiceAttach || m.Choice().Rows[0].ID != "qk2running000000000000001" {
		t.Errorf("a on the running build: %+v", m.Choice())
	}
	m = newLoaded(t, 120, 14, nil)
	if cmd := press(m, "down", "a"); cmd != nil || m.Choice().Kind != ChoiceNone {
		t.Errorf("a on a finished build: %+v", m.Choice())
	}
	if press(m, "enter"); m.Choice().Kind != ChoiceReplay || m.Choice().Rows[0].ID != "0524017c190f" {
		t.Errorf("enter on a finished build: %+v", m.Choice())
	}
	m = newLoaded(t, 120, 14, nil)
	if press(m, "down", "down", "i"); m.Choice().Kind != ChoiceInspect || m.Choice().Rows[0].ID != "fjypdwtzogqbe06cli0l8jad3" {
		t.Errorf("i: %+v", m.Choice())
	}
}

// Two marked builds quit with ChoiceCompare, A the one marked first; a
// second press on the same build unmarks it.
func TestTwoMarksOpenCompare(t *testing.T) {
	m := newLoaded(t, 120, 14, nil)
	press(m, "down", "down", "space", "space", "space")
	if !strings.Contains(m.Render(), "mark another to compare") {
		t.Errorf("one mark: %s", m.Render())
	}
	press(m, "up", "space")
	c := m.Choice()
	if c.Kind != ChoiceCompare || len(c.Rows) != 2 || c.Rows[0].ID != "fjypdwtzogqbe06cli0l8jad3" || c.Rows[1].ID != "0524017c190f" {
		t.Errorf("compare choice: %+v", c)
	}
}

// / filters by every word; the selection stays on its build; esc clears.
func TestFilter(t *testing.T) {
	m := newLoaded(t, 120, 14, nil)
	press(m, "down", "down", "down") // jukgg…, ci.Dockerfile
	press(m, "/", "c", "i", "enter")
	v := ansi.Strip(m.Render())
	if !strings.Contains(v, `1 of 4 builds match "ci"`) || strings.Contains(v, "0524017c190f") {
		t.Errorf("filtered:\n%s", v)
	}
	if r, _ := m.Selected(); r.ID != "jukggtdaajplng1ld5e04fzif" {
		t.Errorf("selected %s after filtering", r.ID)
	}
	press(m, "esc")
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "4 builds") || !strings.Contains(v, "0524017c190f") {
		t.Errorf("after esc:\n%s", v)
	}
}

// A read overtaken by a newer one is dropped, and a why asked for a build
// the user has left is dropped too.
func TestStaleAnswersAreDropped(t *testing.T) {
	m := newLoaded(t, 120, 14, func(context.Context, model.HistoryRow) (*model.Build, *why.Explanation, error) {
		return nil, nil, errors.New("no provenance")
	})
	stale := m.load() // generation 2
	fresh := m.load() // generation 3
	m.Update(fresh())
	m.Update(loadedMsg{gen: 2, err: errors.New("old read")})
	_ = stale
	if strings.Contains(m.Render(), "old read") {
		t.Error("an overtaken read was shown")
	}
	cmd := press(m, "down", "c")
	why := cmd()
	press(m, "esc")
	m.Update(why)
	if v := ansi.Strip(m.Render()); strings.Contains(v, "no provenance") || !strings.Contains(v, "4 builds") {
		t.Errorf("a why for a view that was left was shown:\n%s", v)
	}
	m.Update(press(m, "c")())
	if v := ansi.Strip(m.Render()); !strings.Contains(v, "cannot explain this build: no provenance") {
		t.Errorf("the why view:\n%s", v)
	}
}

// Every frame fits its size, for every width and height.
func TestEveryFrameFits(t *testing.T) {
	for w := 10; w <= 140; w += 13 {
		for h := 3; h <= 30; h += 9 {
			m := newLoaded(t, w, h, nil)
			lines := strings.Split(m.Render(), "\n")
			if len(lines) != h {
				t.Errorf("%dx%d: %d lines", w, h, len(lines))
			}
			for _, l := range lines {
				if ansi.StringWidth(l) > w {
					t.Errorf("%dx%d: line wider than the screen: %q", w, h, l)
				}
			}
		}
	}
}

// Back from a choice, the list selects the build it quit on, under the
// filter in force.
func TestReopenKeepsPlace(t *testing.T) {
	m := New(Options{Now: func() time.Time { return t0 }, Select: "jukggtdaajplng1ld5e04fzif", Filter: "other",
		Load: func(context.Context) ([]model.HistoryRow, error) { return rows(), nil }})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 14})
	m.Update(m.Init()())
	if r, _ := m.Selected(); r.ID != "jukggtdaajplng1ld5e04fzif" || m.Filter() != "other" || len(m.shown) != 3 {
		t.Errorf("selected %s, filter %q, %d shown", r.ID, m.Filter(), len(m.shown))
	}
}
