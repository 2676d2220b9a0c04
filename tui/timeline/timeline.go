// Package timeline shows where a build's time went: a bar per step on a
// shared time axis, grouped by stage, the critical path marked, cached
// steps as marks, and the selected step's duration, slack and what a hit
// on it would save. Left and right scroll the axis, + and - zoom.
package timeline

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/trace"
	"github.com/buildscope/buildscope/tui/common"
)

const nameW = 30 // the step-name column

// Model is the timeline view.
type Model struct {
	common.Common
	tl   *trace.Timeline
	rows []int // span indexes, grouped by stage, in start order
	sel  int
	zoom float64 // 1: the whole build fits the axis
	off  float64 // seconds from the build's start at the axis' left edge
}

// New returns the view of tl (nil: nothing has run yet).
func New(c common.Common, tl *trace.Timeline) *Model {
	m := &Model{Common: c, zoom: 1}
	m.SetTimeline(tl)
	return m
}

// SetTimeline replaces the timeline (a live build's grows), keeping the
// selection on the same step where it can.
func (m *Model) SetTimeline(tl *trace.Timeline) {
	selDigest := ""
	if m.tl != nil && m.sel < len(m.rows) {
		selDigest = m.tl.Spans[m.rows[m.sel]].Digest
	}
	m.tl, m.rows = tl, nil
	if tl == nil {
		return
	}
	var lanes []string
	byLane := map[string][]int{}
	for i, s := range tl.Spans {
		lane := s.Stage
		if _, ok := byLane[lane]; !ok {
			lanes = append(lanes, lane)
		}
		byLane[lane] = append(byLane[lane], i)
	}
	for _, l := range lanes {
		m.rows = append(m.rows, byLane[l]...)
	}
	m.sel = min(m.sel, max(len(m.rows)-1, 0))
	for r, i := range m.rows {
		if tl.Spans[i].Digest == selDigest {
			m.sel = r
		}
	}
}

// Update moves the selection, scrolls and zooms.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || m.tl == nil {
		return nil
	}
	if sel, ok := m.Keys.MoveSelection(k, m.sel, len(m.rows)); ok {
		m.sel = sel
		return nil
	}
	window := m.window()
	switch {
	case key.Matches(k, m.Keys.ZoomIn):
		m.zoom = min(m.zoom*2, 1024)
	case key.Matches(k, m.Keys.ZoomOut):
		m.zoom = max(m.zoom/2, 1)
	case key.Matches(k, m.Keys.Left):
		m.off -= window / 4
	case key.Matches(k, m.Keys.Right):
		m.off += window / 4
	}
	m.off = max(0, min(m.off, m.tl.Wall-m.window()))
	return nil
}

// Zoomed says the axis shows part of the build: left and right scroll
// it then.
func (m *Model) Zoomed() bool { return m.zoom > 1 }

// Rows is how many steps the view lists.
func (m *Model) Rows() int { return len(m.rows) }

// window is the seconds the axis shows.
func (m *Model) window() float64 {
	if m.tl == nil || m.tl.Wall <= 0 {
		return 1
	}
	return m.tl.Wall / m.zoom
}

// View draws the axis, a row per step and the selected step's details.
func (m *Model) View() string {
	s := m.Styles
	if m.tl == nil || len(m.tl.Spans) == 0 {
		return s.Dim.Render("nothing has run yet")
	}
	tl := m.tl
	barW := max(m.Width-nameW-2, 10)
	title := "Timeline"
	if tl.Build != "" {
		title += " of build " + tl.Build
	}
	// rows are built to the width; the other lines are cut to it
	lines := []string{m.cut(s.Title.Render(fmt.Sprintf("%s: %.2fs wall, %.2f steps at once, %d on the critical path (*)",
		title, tl.Wall, tl.Parallelism, len(tl.Critical))))}
	lines = append(lines, strings.Repeat(" ", nameW+1)+m.axis(barW))
	listH := max(m.Height-8, 3)
	top := max(0, m.sel-listH+1)
	lane := "\x00"
	for r := top; r < len(m.rows) && len(lines) < listH+2; r++ {
		sp := tl.Spans[m.rows[r]]
		if sp.Stage != lane {
			lane = sp.Stage
			name := lane
			if name == "" {
				name = "(build: load, resolve, export)"
			}
			lines = append(lines, s.Dim.Render(m.cut("── "+model.Printable(name))))
		}
		mark := " "
		if sp.Critical {
			mark = "*"
		}
		label := fmt.Sprintf("%s%-*s", mark, nameW-1, truncate(model.Printable(stepLabel(sp)), nameW-1))
		bar := m.bar(sp, barW)
		switch {
		case r == m.sel:
			lines = append(lines, s.Selected.Render(label+" "+bar))
			continue
		case sp.Critical:
			bar = s.Failed.Render(bar)
		case sp.Cached:
			bar = s.Cached.Render(bar)
		default:
			bar = s.Running.Render(bar)
		}
		lines = append(lines, label+" "+bar)
	}
	lines = append(lines, s.Border.Render(strings.Repeat("─", m.Width)))
	for _, l := range m.detail() {
		lines = append(lines, m.cut(l))
	}
	if len(lines) > m.Height {
		lines = lines[:m.Height]
	}
	return strings.Join(lines, "\n")
}

func (m *Model) cut(s string) string { return ansi.Truncate(s, m.Width, "…") }

// truncate cuts s to w cells, as ansi.Truncate does, without measuring
// grapheme clusters when s is plain ASCII (step names nearly always are).
func truncate(s string, w int) string {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			return ansi.Truncate(s, w, "…")
		}
	}
	if len(s) <= w {
		return s
	}
	return s[:w-1] + "…"
}

func stepLabel(sp trace.Span) string {
	if sp.Line > 0 {
		if i := strings.Index(sp.Name, "] "); i >= 0 {
			return fmt.Sprintf("L%d %s", sp.Line, sp.Name[i+2:])
		}
	}
	return sp.Name
}

// axis is the time scale: a tick every quarter of the window.
func (m *Model) axis(w int) string {
	win := m.window()
	b := []rune(strings.Repeat("·", w))
	out := string(b)
	for q := 0; q < 4; q++ {
		label := fmt.Sprintf("|%s", fmtSecs(m.off+win*float64(q)/4))
		at := w * q / 4
		if at+len(label) <= w {
			out = ansi.Truncate(out, at, "") + label + ansi.TruncateLeft(out, at+len(label), "")
		}
	}
	return out
}

func fmtSecs(s float64) string {
	return (time.Duration(s * float64(time.Second))).Round(time.Millisecond).String()
}

// bar draws a span on the axis: a run as █, a cached step as a ◆ mark.
func (m *Model) bar(sp trace.Span, w int) string {
	win := m.window()
	from := sp.Start.Sub(m.tl.Start).Seconds() - m.off
	to := sp.End.Sub(m.tl.Start).Seconds() - m.off
	a := int(from / win * float64(w))
	b := int(to / win * float64(w))
	row := []rune(strings.Repeat(" ", w))
	if b < 0 || a >= w {
		return string(row)
	}
	a, b = max(a, 0), min(max(b, a+1), w)
	fill := '█'
	if sp.Cached {
		fill, b = '◆', a+1
	}
	for i := a; i < b && i < w; i++ {
		row[i] = fill
	}
	return string(row)
}

// detail describes the selected step.
func (m *Model) detail() []string {
	if m.sel >= len(m.rows) {
		return nil
	}
	sp := m.tl.Spans[m.rows[m.sel]]
	out := []string{m.Styles.Title.Render(model.Printable(sp.Name))}
	state := fmt.Sprintf("  %s, %s, started at +%s", sp.Kind, fmtSecs(sp.Seconds()), fmtSecs(sp.Start.Sub(m.tl.Start).Seconds()))
	if sp.Cached {
		state += ", from the cache"
	}
	out = append(out, state)
	switch {
	case sp.Critical && sp.Saving > 0:
		out = append(out, fmt.Sprintf("  on the critical path: a cache hit here would have saved %s", fmtSecs(sp.Saving)))
	case sp.Critical:
		out = append(out, "  on the critical path")
	default:
		out = append(out, fmt.Sprintf("  slack %s: it could have taken that much longer without making the build longer", fmtSecs(sp.Slack)))
	}
	return out
}
