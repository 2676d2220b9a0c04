package home

import (
	"context"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model/why"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// Render only draws: the list (a build running: its duration comes from
// the model's clock, not read while drawing), filtered, marked, the why
// of a build, each after a resize too.
func TestRenderIsPure(t *testing.T) {
	clock := t0.Add(time.Minute)
	m := New(Options{Title: "embedded", Now: func() time.Time { clock = clock.Add(time.Second); return clock }, // a real clock moves
		Load: func(context.Context) ([]model.HistoryRow, error) { return rows(), nil },
		Explain: func(context.Context, model.HistoryRow) (*model.Build, *why.Explanation, error) {
			b := &model.Build{ID: "0524017c190f"}
			return b, why.Explain(b, nil), nil
		}})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 14})
	m.Update(m.Init()())
	for _, step := range []struct {
		name string
		keys []string
	}{
		{"list", nil},
		{"moved", []string{"down"}},
		{"marked", []string{"m"}},
		{"filtering", []string{"esc", "/", "o", "t"}},
		{"filtered", []string{"enter"}},
		{"help", []string{"esc", "?"}},
		{"why", []string{"?", "down", "c"}},
	} {
		cmd := press(m, step.keys...)
		if step.name == "why" && cmd != nil {
			m.Update(cmd())
		}
		if step.name == "why" && m.why == nil {
			t.Fatal("c did not show the why")
		}
		tuitest.Pure(t, step.name, m, m.Render)
		m.Update(tea.WindowSizeMsg{Width: 61, Height: 9})
		tuitest.Pure(t, step.name+" after a resize", m, m.Render)
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 14})
	}
}
