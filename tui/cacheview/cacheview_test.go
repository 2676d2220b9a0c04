package cacheview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/common"
)

// A changed hit is listed on its own, the miss built on it says so with
// its root, and a root cause shows what it cost.
func TestChangedHitsAndCosts(t *testing.T) {
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	b := &model.Build{ID: "b", Stages: []model.Stage{{Name: "gen", Steps: []model.Step{
		{Name: "[gen 1/2] COPY v.txt /v.txt", Cached: true},
		{Name: "[gen 2/2] RUN make"},
	}}}}
	ex := &why.Explanation{Build: "b", Previous: "a", Source: why.SourceRecordedInputs,
		ChangedHits: []why.ChangedHit{{Step: "[gen 1/2] COPY v.txt /v.txt", Line: 2, Reason: why.ReasonContext,
			Detail: why.Detail{Files: []string{"v.txt"}}, CostSeconds: 1.5}},
		Misses: []why.Miss{{Step: "[gen 2/2] RUN make", Line: 3, Reason: why.ReasonParentChanged,
			Detail: why.Detail{Parent: "[gen 1/2] COPY v.txt /v.txt", Root: "[gen 1/2] COPY v.txt /v.txt"}}},
	}
	m := New(common.Common{Width: 120, Height: 30, Styles: &styles, Keys: &keys}, b, ex, nil)
	v := ansi.Strip(m.View())
	for _, want := range []string{"(from recorded-inputs)", "↑chg", "L3   [gen 2/2] RUN make", "≈ changed L2   [gen 1/2] COPY v.txt /v.txt", "parent-changed", "← [gen 1/2] COPY v.txt /v.txt"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "≡ hit") {
		t.Errorf("the changed hit is listed again as a plain hit:\n%s", v)
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	v = ansi.Strip(m.View())
	for _, want := range []string{"changed against the previous build: v.txt", "the steps it made run cost 1.50s"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail of the changed hit lacks %q:\n%s", want, v)
		}
	}
}

// Step names and file names of a build another client made are shown
// escaped (model.Printable) in the list and the detail: an OSC in them
// reached the terminal raw.
func TestForeignNamesEscaped(t *testing.T) {
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	const osc = "\x1b]0;pwned\x07"
	step := "[x 2/2] COPY . /src" + osc
	b := &model.Build{ID: "b", Stages: []model.Stage{{Name: "x", Steps: []model.Step{{Name: "[x 1/2] FROM a" + osc, Cached: true}, {Name: step}}}}}
	ex := &why.Explanation{Build: "b", Previous: "a", Source: why.SourceRecordedInputs, SourceNote: "note" + osc,
		Misses: []why.Miss{{Step: step, Line: 2, Root: true, Reason: why.ReasonContext, Detail: why.Detail{Files: []string{"f" + osc}}}},
		Advice: []string{"advice" + osc}}
	m := New(common.Common{Width: 160, Height: 30, Styles: &styles, Keys: &keys}, b, ex, nil)
	for i := 0; i < 2; i++ {
		raw := m.View()
		if strings.Contains(raw, "\x1b]0;") || strings.Contains(raw, "\x07") {
			t.Fatalf("a name reached the screen raw:\n%q", raw)
		}
		v := ansi.Strip(raw)
		for _, want := range []string{`COPY . /src\e]0;pwned\x07`, `note\e]0;pwned\x07`, `advice\e]0;pwned\x07`} {
			if !strings.Contains(v, want) {
				t.Errorf("view lacks %q:\n%s", want, v)
			}
		}
		m.Update(tea.KeyPressMsg{Code: tea.KeyDown})
	}
}
