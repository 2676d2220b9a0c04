package home

import (
	"fmt"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

type modelRow = model.HistoryRow

// View draws the list. The list is a root: it sets the alt screen.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "buildscope"
	return v
}

// helpKeys are the keys of what is shown, for the help line.
func (m *Model) helpKeys() common.Bindings {
	k := m.Keys
	if m.why != nil {
		return common.Bindings{{k.Up, k.Down}, {k.Back, k.Quit}}
	}
	return common.Bindings{{k.Up, k.Down, k.Replay, k.Inspect, k.Cache, k.Attach}, {k.Mark, k.FilterList, k.Back, k.Help, k.Quit}}
}

// bodyHeight is the height left between the header and the help line.
func (m *Model) bodyHeight() int { return max(m.Height-3, 1) }

// Render draws the screen as text (View wraps it; tests call it).
func (m *Model) Render() string {
	if m.Width <= 0 || m.Height <= 0 {
		return ""
	}
	s := m.Styles
	head := "buildscope history"
	if m.o.Title != "" {
		head += " · " + m.o.Title
	}
	count := fmt.Sprintf("%d builds", len(m.shown))
	if m.applied != "" {
		count = fmt.Sprintf("%d of %d builds match %q", len(m.shown), len(m.rows), m.applied)
	}
	lines := []string{ansi.Truncate(s.Header.Render(head)+"  "+s.Dim.Render(count), m.Width, "…")}
	var body []string
	if m.why != nil {
		body = append([]string{s.Dim.Render("why " + m.whyOf + " ran what it ran (esc: back)")}, strings.Split(m.why.View(), "\n")...)
	} else {
		body = m.list()
	}
	h := m.bodyHeight()
	for len(body) < h {
		body = append(body, "")
	}
	lines = append(lines, body[:h]...)
	lines = append(lines, m.statusLine())
	helpLine := m.help.ShortHelpView(m.helpKeys().ShortHelp())
	if m.help.ShowAll {
		helpLine = strings.ReplaceAll(m.help.FullHelpView(m.helpKeys().FullHelp()), "\n", "  ")
	}
	lines = append(lines, ansi.Truncate(helpLine, m.Width, ""))
	if len(lines) > m.Height {
		lines = lines[:m.Height]
	}
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], m.Width, "")
	}
	return strings.Join(lines, "\n")
}

// statusLine is the filter prompt, an error, or what marking does.
func (m *Model) statusLine() string {
	s := m.Styles
	switch {
	case m.filter.Active:
		return "/" + m.filter.Text + "█"
	case m.err != nil:
		return s.Failed.Render("cannot read the history: " + m.err.Error())
	case m.notice != "":
		return s.Warning.Render(m.notice)
	case len(m.marked) == 1:
		return s.Running.Render("marked " + m.marked[0] + ": mark another to compare (esc: unmark)")
	}
	return ""
}

// list is the table: running builds, then the others, the selection kept
// in view.
func (m *Model) list() []string {
	s := m.Styles
	if !m.loaded {
		return []string{s.Dim.Render("reading the history…")}
	}
	if len(m.shown) == 0 {
		if len(m.rows) == 0 {
			return []string{s.Dim.Render("no builds yet: `buildscope build PATH` runs one; builds of buildx, buildctl or CI on the builder appear here too")}
		}
		return []string{s.Dim.Render("no build matches the filter (esc clears it)")}
	}
	now := m.now
	header := s.Dim.Render(fmt.Sprintf("    %-2s %-25s %-10s %-14s %8s %7s  %s", "", "BUILD", "BY", "STARTED", "DURATION", "CACHED", "DOCKERFILE · TARGET"))
	out := []string{header}
	section := ""
	var rows []string
	selLine := 0
	for k, i := range m.shown {
		r := m.rows[i]
		sec := "finished"
		if r.Running() {
			sec = "running"
		}
		if sec != section {
			section = sec
			rows = append(rows, s.Title.Render(sec))
		}
		if k == m.sel {
			selLine = len(rows)
		}
		rows = append(rows, m.row(r, k == m.sel, now))
	}
	room := max(m.bodyHeight()-1, 1)
	off := max(0, selLine-room+1)
	return append(out, rows[off:]...)
}

// row is one build's line.
func (m *Model) row(r model.HistoryRow, selected bool, now time.Time) string {
	s := m.Styles
	glyph := map[string]string{model.StatusOK: s.Done.Render("✓"), model.StatusError: s.Failed.Render("✗"),
		model.StatusCanceled: s.Dim.Render("-"), model.StatusRunning: s.Running.Render("⟳")}[r.Status]
	if glyph == "" {
		glyph = "?"
	}
	mark := " "
	if slices.Contains(m.marked, r.ID) {
		mark = "*"
	}
	by := r.By
	what := model.Printable(r.Dockerfile)
	if r.Target != "" {
		what += " · " + model.Printable(r.Target)
	}
	dur := r.Duration(now).Round(10 * time.Millisecond).String()
	cursor := " "
	if selected {
		cursor = "›"
	}
	line := fmt.Sprintf("%s%s  %s  %-25s %-10s %-14s %8s %7s  %s", cursor, mark, glyph, model.Printable(r.ID), by,
		r.Started.Local().Format("01-02 15:04:05"), dur, fmt.Sprintf("%d/%d", r.Cached, r.Total), what)
	if selected {
		return s.Selected.Render(ansi.Strip(line))
	}
	return line
}
