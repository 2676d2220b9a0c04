// Package cacheview shows a build's cache hits and misses: every step that
// ran with the reason it missed, root causes first, and for the selected
// step the detail (changed files, arg values, old and new instruction).
package cacheview

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/common"
)

// Short tags of the reasons, for narrow columns.
var Short = map[string]string{
	why.ReasonInstruction: "edit", why.ReasonBuildArg: "arg", why.ReasonEnv: "env",
	why.ReasonBase: "base", why.ReasonContext: "ctx", why.ReasonParent: "↑dep",
	why.ReasonNoCache: "nocache", why.ReasonPlatform: "plat", why.ReasonFirst: "new",
	why.ReasonEvicted: "evict", why.ReasonParentChanged: "↑chg", why.ReasonNamedContext: "nctx",
	why.ReasonUnknown: "unknown", why.ReasonNotImported: "noimport", why.ReasonPrevFailed: "prevfail",
	why.ReasonKeyOnly: "keyonly", why.ReasonRemote: "remote",
}

// row is one line of the list: a miss, a step that changed but hit an
// older cache entry, or a step that hit the cache.
type row struct {
	miss    *why.Miss
	changed *why.ChangedHit
	hit     string
}

// Model is the cache view.
type Model struct {
	common.Common
	ex   *why.Explanation
	err  error
	rows []row
	sel  int
}

// New returns the view of an explanation of build b (err: why failed).
func New(c common.Common, b *model.Build, ex *why.Explanation, err error) *Model {
	m := &Model{Common: c, ex: ex, err: err}
	if ex == nil {
		return m
	}
	for i := range ex.Misses {
		m.rows = append(m.rows, row{miss: &ex.Misses[i]})
	}
	changed := map[string]bool{}
	for i := range ex.ChangedHits {
		m.rows = append(m.rows, row{changed: &ex.ChangedHits[i]})
		changed[ex.ChangedHits[i].Step] = true
	}
	var hits []string
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.Cached && !changed[st.Name] {
				hits = append(hits, st.Name)
			}
		}
	}
	sort.Strings(hits)
	for _, h := range hits {
		m.rows = append(m.rows, row{hit: h})
	}
	return m
}

// Rows is how many rows the view lists.
func (m *Model) Rows() int { return len(m.rows) }

// Update moves the selection.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.sel, _ = m.Keys.MoveSelection(k, m.sel, len(m.rows))
	}
	return nil
}

// View draws the list and the detail of the selected miss.
func (m *Model) View() string {
	s := m.Styles
	if m.err != nil {
		return s.Failed.Render("cannot explain this build: " + m.err.Error())
	}
	if m.ex == nil {
		return s.Dim.Render("explaining the cache…")
	}
	prev := m.ex.Previous
	if prev == "" {
		prev = "no previous build"
	}
	lines := []string{s.Title.Render(fmt.Sprintf("Cache of build %s against %s: %d ran", m.ex.Build, prev, len(m.ex.Misses))) +
		s.Dim.Render(" (from "+m.ex.Source+")")}
	if m.ex.SourceNote != "" {
		lines = append(lines, ansi.Truncate(s.Dim.Render(model.Printable(m.ex.SourceNote)), m.Width, "…"))
	}
	listH := max(m.Height*3/5-1, 3)
	off := max(0, m.sel-listH+1)
	for i := off; i < len(m.rows) && i < off+listH; i++ {
		r := m.rows[i]
		var line string
		if r.miss != nil {
			tag := s.Failed.Render(fmt.Sprintf("%-8s", Short[r.miss.Reason]))
			if !r.miss.Root {
				tag = s.Running.Render(fmt.Sprintf("%-8s", Short[r.miss.Reason]))
			}
			line = fmt.Sprintf("✗ %s L%-3d %s", tag, r.miss.Line, model.Printable(r.miss.Step))
		} else if r.changed != nil {
			line = s.Running.Render("≈ changed") + fmt.Sprintf(" L%-3d %s", r.changed.Line, model.Printable(r.changed.Step))
		} else {
			line = s.Cached.Render("≡ hit     ") + "     " + model.Printable(r.hit)
		}
		if i == m.sel {
			line = s.Selected.Render(ansi.Strip(line))
		}
		lines = append(lines, ansi.Truncate(line, m.Width, "…"))
	}
	for len(lines) < listH+1 {
		lines = append(lines, "")
	}
	lines = append(lines, s.Border.Render(strings.Repeat("─", m.Width)))
	lines = append(lines, m.detail()...)
	for _, a := range m.ex.Advice {
		lines = append(lines, ansi.Truncate(s.Warning.Render("advice: "+model.Printable(a)), m.Width, "…"))
	}
	if len(lines) > m.Height {
		lines = lines[:m.Height]
	}
	return strings.Join(lines, "\n")
}

// detail explains the selected row.
func (m *Model) detail() []string {
	if m.sel >= len(m.rows) {
		return nil
	}
	r := m.rows[m.sel]
	if c := r.changed; c != nil {
		return m.fit([]string{m.Styles.Title.Render(c.Reason) + "  " + model.Printable(c.Step),
			"  changed against the previous build" + model.Printable(c.Detail.Text(c.Reason)),
			fmt.Sprintf("  still answered from an older cache entry; the steps it made run cost %.2fs", c.CostSeconds)})
	}
	if r.miss == nil {
		return []string{"from the cache: its inputs were the same as in an earlier build"}
	}
	mi := r.miss
	title := m.Styles.Title.Render(mi.Reason) + "  " + model.Printable(mi.Step)
	if mi.Root && mi.CostSeconds > 0 {
		title += fmt.Sprintf("  (cost %.2fs)", mi.CostSeconds)
	}
	out := []string{title}
	for _, l := range mi.Detail.Lines(mi.Reason) {
		out = append(out, "  "+model.Printable(l))
	}
	return m.fit(out)
}

// fit cuts lines to the view's width.
func (m *Model) fit(out []string) []string {
	for i := range out {
		out[i] = ansi.Truncate(out[i], m.Width, "…")
	}
	return out
}
