package home

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
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

// helpKeys are the keys of what is shown, for the help line: of the
// keys that act on the selected build, those that work on it (a running
// build is attached to, a finished one replayed, inspected, explained,
// marked); refusal says why one that does not, when it is pressed.
func (m *Model) helpKeys() common.Bindings {
	k := m.Keys
	if m.why != nil {
		return common.Bindings{{k.Up, k.Down}, {k.Back, k.Quit}}
	}
	var acts []key.Binding
	if row, ok := m.Selected(); ok {
		if row.Running() {
			enter := k.Replay
			enter.SetHelp("enter", "attach")
			acts = append(acts, enter)
		} else {
			acts = append(acts, k.Replay, k.Inspect)
			if m.o.Explain != nil {
				acts = append(acts, k.Cache)
			}
			acts = append(acts, k.Mark)
		}
	}
	moves := []key.Binding{}
	if len(m.shown) > 1 {
		moves = append(moves, k.Up, k.Down)
	}
	rest := []key.Binding{k.FilterList}
	if m.applied != "" || len(m.marked) > 0 {
		clear := k.Back
		clear.SetHelp("esc", "clear filter and marks")
		rest = append(rest, clear)
	}
	return common.Bindings{acts, moves, rest, {k.Help, k.Quit}}
}

// refusal is the one line that says why a key of the list does nothing
// on the selected build.
func (m *Model) refusal(msg tea.KeyPressMsg) (string, bool) {
	k := m.Keys
	row, ok := m.Selected()
	switch {
	case !ok && (key.Matches(msg, k.Replay) || key.Matches(msg, k.Inspect) || key.Matches(msg, k.Cache) || key.Matches(msg, k.Attach) || key.Matches(msg, k.Mark)):
		return msg.String() + ": no build selected", true
	case !ok:
	case row.Running() && (key.Matches(msg, k.Inspect) || key.Matches(msg, k.Cache) || key.Matches(msg, k.Mark)):
		return msg.String() + ": build " + row.ID + " is still running; enter or a attaches to it", true
	case !row.Running() && key.Matches(msg, k.Attach):
		return "a: build " + row.ID + " is over; enter replays it", true
	case key.Matches(msg, k.Cache) && m.o.Explain == nil:
		return "c: this list cannot explain builds", true
	case key.Matches(msg, k.Back) && m.applied == "" && len(m.marked) == 0:
		return "esc: no filter or mark to clear; q quits", true
	}
	return "", false
}

// bodyHeight is the height left between the header and the help (one
// line, or the full help's).
func (m *Model) bodyHeight() int { return max(m.Height-2-m.helpHeight(), 1) }

// helpHeight is the lines the help takes.
func (m *Model) helpHeight() int {
	if !m.help.ShowAll {
		return 1
	}
	return strings.Count(m.fullHelp(), "\n") + 1
}

// fullHelp is the `?` help, with what "vtx" means when a row shows it.
func (m *Model) fullHelp() string {
	h := common.FullHelp(m.help, m.Width, m.helpKeys().FullHelp())
	if slices.ContainsFunc(m.shown, func(i int) bool { return m.rows[i].Vertices }) {
		h += "\n" + ansi.Truncate(m.Styles.Dim.Render(vtxLegend), m.Width, "…")
	}
	return h
}

// vtxLegend says what a CACHED count marked "vtx" is.
const vtxLegend = "vtx: BuildKit's count of vertices (each FROM's metadata load, the context transfer…), not steps"

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
	head = common.ShortenLeft(head, m.Width-ansi.StringWidth(count)-2) // the count always shows
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
	k := m.Keys
	if m.help.ShowAll {
		lines = append(lines, strings.Split(m.fullHelp(), "\n")...)
	} else {
		keep := []key.Binding{k.Help, k.Quit}
		lines = append(lines, common.Footer(m.help, m.Width, "", m.helpKeys().ShortHelp(), keep))
	}
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
	c := m.columns()
	header := s.Dim.Render(m.line(c, "  ", "", "BUILD", "BY", "STARTED", "DURATION", "CACHED", "DOCKERFILE · TARGET"))
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
		rows = append(rows, m.row(c, r, k == m.sel, now))
	}
	room := max(m.bodyHeight()-1, 1)
	off := max(0, selLine-room+1)
	return append(out, rows[off:]...)
}

// columns are the widths of the list's columns, sized to what they
// hold; by is 0 when every build was made by the same client (the
// column says nothing then).
type columns struct{ id, by, cached, what int }

func (m *Model) columns() columns {
	c := columns{id: len("BUILD"), cached: 7}
	bys := map[string]bool{}
	byW := len("BY")
	for _, i := range m.shown {
		r := m.rows[i]
		c.id = max(c.id, ansi.StringWidth(model.Printable(r.ID)))
		bys[r.By] = true
		byW = max(byW, ansi.StringWidth(r.By))
		c.cached = max(c.cached, len(cachedText(r)))
	}
	if len(bys) > 1 {
		c.by = byW
	}
	c.what = m.Width - (c.id + 32 + c.cached)
	if c.by > 0 && c.what-c.by-1 < 16 {
		c.by = 0 // no room: the Dockerfile says more than who built it
	}
	if c.by > 0 {
		c.what -= c.by + 1
	}
	c.what = max(c.what, 8)
	return c
}

// line lays one row out in the columns c: the path of the Dockerfile
// shortened from the left to fit, the build's ID never cut.
func (m *Model) line(c columns, lead, glyph, id, by, started, dur, cached, what string) string {
	if glyph == "" {
		glyph = " "
	}
	l := fmt.Sprintf("%s  %s  %-*s ", lead, glyph, c.id, id)
	if c.by > 0 {
		l += fmt.Sprintf("%-*s ", c.by, ansi.Truncate(by, c.by, "…"))
	}
	if df, target, ok := strings.Cut(what, " · "); ok && ansi.StringWidth(what) > c.what { // the target whole, the path's end
		what = common.ShortenLeft(df, c.what-ansi.StringWidth(target)-3) + " · " + target
	}
	return l + fmt.Sprintf("%-11s %8s %*s  %s", started, dur, c.cached, cached, common.ShortenLeft(what, c.what))
}

// row is one build's line.
func (m *Model) row(c columns, r model.HistoryRow, selected bool, now time.Time) string {
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
	what := model.Printable(r.Dockerfile)
	if r.Target != "" {
		what += " · " + model.Printable(r.Target)
	}
	dur := r.Duration(now).Round(10 * time.Millisecond).String()
	cursor := " "
	if selected {
		cursor = "›"
	}
	line := m.line(c, cursor+mark, glyph, model.Printable(r.ID), r.By,
		started(r.Started, now), dur, cachedText(r), what)
	if selected {
		return s.Selected.Render(ansi.Strip(line))
	}
	return line
}

// started is when a build started: the time of day when it was today,
// else the date and minute (11 cells either way).
func started(t, now time.Time) string {
	t, now = t.Local(), now.Local()
	if t.YearDay() == now.YearDay() && t.Year() == now.Year() {
		return t.Format("15:04:05")
	}
	return t.Format("01-02 15:04")
}

// cachedText is a row's CACHED column: steps cached of total, or
// BuildKit's vertices for a build of the builder's history that
// buildscope holds no record of, marked "vtx" (the help says what it is).
func cachedText(r model.HistoryRow) string {
	if r.Vertices {
		return fmt.Sprintf("%d/%d vtx", r.Cached, r.Total)
	}
	return fmt.Sprintf("%d/%d", r.Cached, r.Total)
}
