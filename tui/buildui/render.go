package buildui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/buildtext"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/errbox"
	"github.com/buildscope/buildscope/tui/failedstep"
)

// geom is where each pane is, derived from the size alone so that Render
// and mouse handling agree.
type geom struct {
	topH, graphW, logsY, logsH, helpH int
	graphOff, stepsOff                int
	errH                              int
}

func (m *Model) geometry() geom {
	g := geom{helpH: m.helpHeight()}
	avail := max(m.Height-1-g.helpH, 6)
	g.logsH = max(avail/2, 3)
	g.topH = avail - g.logsH
	g.logsY = 1 + g.topH
	g.graphW = min(max(m.gw+m.labelsW()+3, 20), max(m.Width*45/100, 20))
	if text, line, ok := m.failure(); ok {
		ctx := 0
		if line > 0 {
			ctx = 5 // the Dockerfile's lines around the failing one
		}
		wrote := m.fstep.WroteLines(m.failedView())
		errW, _ := failedstep.Columns(m.Width, wrote)
		g.errH = max(min(max(len(errbox.Lines(text, errW))+ctx, len(wrote)), g.logsH-2), 1)
	}
	body := max(g.topH-1, 1)
	for i, r := range m.rows {
		if r.Node == m.selNode {
			g.graphOff = max(0, i-body+1)
		}
	}
	g.stepsOff = max(0, m.selStep-body+1)
	return g
}

func (m *Model) selected() (model.Step, bool) {
	steps := m.stepsOf(m.selNode)
	if m.selStep < len(steps) {
		return steps[m.selStep], true
	}
	return model.Step{}, false
}

// View draws the UI. Only the root sets alt-screen and mouse.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "buildscope"
	return v
}

// Render draws the screen as text (View wraps it; tests call it). It
// only reads the model: sizes, sub-views and the timeline are brought up
// to date in Update (settle).
func (m *Model) Render() string {
	if m.Width == 0 || m.Height == 0 {
		return ""
	}
	if m.view != viewBuild {
		return common.Fit(m.renderHeader()+"\n"+common.Pad(m.renderSubView(), m.Width, m.body().Height)+"\n"+m.renderHelp(), m.Width, m.Height)
	}
	g := m.geometry()
	graph := m.renderGraph(g)
	steps := m.renderSteps(g)
	sep := strings.TrimRight(strings.Repeat("│\n", g.topH), "\n")
	top := lipgloss.JoinHorizontal(lipgloss.Top, common.Pad(graph, g.graphW, g.topH), m.styles.Border.Render(sep), " ", common.Pad(steps, m.Width-g.graphW-2, g.topH))
	parts := []string{m.renderHeader(), top}
	if g.errH > 0 {
		parts = append(parts, m.renderError(g.errH))
	}
	parts = append(parts, m.logv.Render(m.logsTitle()), m.renderHelp())
	return common.Fit(strings.Join(parts, "\n"), m.Width, m.Height)
}

// renderSubView draws the view shown in place of the build's panes, as
// settle left it.
func (m *Model) renderSubView() string {
	switch {
	case m.view == viewCache && m.cv != nil:
		return m.cv.View()
	case m.view == viewStages && m.sv != nil:
		return m.sv.View()
	case m.view == viewDiff && m.dv != nil:
		return m.dv.View()
	case m.view == viewTimeline && m.tv != nil:
		return m.tv.View()
	case m.view != viewInspect:
		return "" // not settled yet: Update makes it
	case m.lv != nil:
		return m.lv.View()
	case m.lvErr != nil:
		return m.styles.Failed.Render(fmt.Sprint("cannot open the image: ", m.lvErr))
	}
	return m.styles.Running.Render(m.glyph(stRunning)+" opening "+m.lvTitle+"…") +
		"\n" + m.styles.Dim.Render("an engine build's image is saved from the engine first; esc goes back")
}

func (m *Model) renderHeader() string {
	s := m.styles
	b := m.build
	elapsed := m.now.Sub(m.started)
	if m.done && !b.Completed.IsZero() {
		elapsed = b.Completed.Sub(b.Started)
	}
	var status string
	switch {
	case m.search.Active:
		status = "search: " + m.search.Text + "▏ (enter to search, esc to cancel)"
	case m.confirm:
		status = s.Failed.Render("cancel the build? y/n")
	case !m.done && m.canceled:
		status = s.Failed.Render("canceling…")
	case m.fstep.Holding(m.done):
		status = m.fstep.Header(&m.styles, m.failedView())
	case !m.done:
		status = s.Running.Render(m.glyph(stRunning)+" building") + s.Dim.Render(" "+common.Dur(elapsed))
	case b.Status == model.StatusOK:
		status = s.Done.Render("✓ done") + fmt.Sprintf(" in %s · %d/%d steps cached", common.Dur(elapsed), b.Cache.StepsCached, b.Cache.StepsTotal)
		if b.Image != nil {
			status += " · image " + model.HumanSize(b.Image.SizeBytes)
		}
	default:
		word := "✗ failed"
		if b.Status == model.StatusCanceled {
			word = "✗ canceled"
		}
		status = s.Failed.Render(word) + fmt.Sprintf(" after %s · %d/%d steps cached", common.Dur(elapsed), b.Cache.StepsCached, b.Cache.StepsTotal)
	}
	// the status always shows: the title gives way, from the left (a
	// path's end says most), then the builder
	status = ansi.Truncate(status, m.Width-len("buildscope")-2, "…")
	room := m.Width - ansi.StringWidth(status) - len("buildscope") - 3
	builder := ""
	if m.opts.Builder != "" {
		builder = " on " + m.opts.Builder
		if ansi.StringWidth(m.opts.Title)+ansi.StringWidth(builder) > room {
			builder = "" // the path says more than the builder
		}
	}
	title := common.ShortenLeft(m.opts.Title, room-ansi.StringWidth(builder))
	left := s.Header.Render("buildscope")
	if title != "" {
		left += " " + title
	}
	left += s.Dim.Render(builder)
	return ansi.Truncate(left+"  "+status, m.Width, "…")
}

// labelsW is the width of the graph's widest name and label, so that the
// graph pane is as wide as what it shows and the steps get the rest.
func (m *Model) labelsW() int {
	w := 0
	for i := range m.nodes {
		_, label := m.nodeLabel(i)
		w = max(w, ansi.StringWidth(m.nodeName(i))+1+ansi.StringWidth(label))
	}
	return max(w, len("▸ Stages"))
}

func (m *Model) paneTitle(p pane, text string) string {
	if m.focus == p {
		return m.styles.Focused.Render("▸ " + text)
	}
	return m.styles.Title.Render("  " + text)
}

func (m *Model) renderGraph(g geom) string {
	lines := []string{m.paneTitle(paneGraph, "Stages")}
	body := g.topH - 1
	for i := g.graphOff; i < len(m.rows) && i < g.graphOff+body; i++ {
		r := m.rows[i]
		lanes := m.styles.Border.Render(r.Lanes)
		if r.Node < 0 {
			lines = append(lines, lanes)
			continue
		}
		st, label := m.nodeLabel(r.Node)
		runes := []rune(r.Lanes)
		pre, post := string(runes[:2*r.Col]), ""
		if 2*r.Col+1 < len(runes) {
			post = string(runes[2*r.Col+1:])
		}
		glyph := m.style(st).Render(m.glyph(st))
		name := m.nodeName(r.Node)
		if r.Node == m.selNode {
			name = m.styles.Selected.Render(name)
		}
		gap := strings.Repeat(" ", max(m.gw-len(runes), 0))
		line := m.styles.Border.Render(pre) + glyph + m.styles.Border.Render(post) + gap + " " + name + " " + label
		lines = append(lines, ansi.Truncate(line, g.graphW, "…"))
	}
	return strings.Join(lines, "\n")
}

// nodeName is a node's name as shown, escaped (model.Printable): a
// record another client made names its stages as it pleased.
func (m *Model) nodeName(i int) string {
	if i < len(m.build.Stages) {
		return model.Printable(m.build.Stages[i].Name)
	}
	if t := i - len(m.build.Stages); t < len(m.opts.Targets) && len(m.opts.Targets) > 0 {
		return "target " + model.Printable(m.opts.Targets[t].Name)
	}
	return "image"
}

// nodeLabel is the state and figures shown after a node's name.
func (m *Model) nodeLabel(i int) (state, string) {
	if i >= len(m.build.Stages) && len(m.opts.Targets) > 0 {
		return m.targetLabel(i - len(m.build.Stages))
	}
	if i >= len(m.build.Stages) {
		st := m.imageState()
		text := stateWords[st]
		if m.build.Image != nil {
			text += " " + model.HumanSize(m.build.Image.SizeBytes)
		}
		return st, m.style(st).Render(text)
	}
	in := m.stageInfo(m.build.Stages[i])
	text := fmt.Sprintf("%s %d/%d", stateWords[in.state], in.done, in.total)
	if in.elapsed > 0 {
		text += " " + common.Dur(in.elapsed)
	}
	return in.state, m.style(in.state).Render(text)
}

func (m *Model) renderSteps(g geom) string {
	steps := m.stepsOf(m.selNode)
	title := "Steps of " + m.nodeName(m.selNode)
	if m.selNode >= len(m.build.Stages) {
		title = "Image: export and checks"
	}
	lines := []string{m.paneTitle(paneSteps, title)}
	width := m.Width - g.graphW - 2
	body := g.topH - 1
	type cells struct{ mark, d, size, text string }
	var rows []cells
	markW, dW, sizeW := 0, 0, 0
	for j := g.stepsOff; j < len(steps) && len(rows) < body; j++ {
		st := steps[j]
		var c cells
		if st.Cached {
			c.mark = "CACHED"
		} else if tag, ok := m.reasonTag(st); ok {
			c.mark = tag
		}
		switch {
		case st.Completed != nil && st.Started != nil:
			c.d = common.Dur(st.Duration())
		case st.Started != nil:
			c.d = common.Dur(m.now.Sub(*st.Started))
		}
		if st.SizeBytes != nil {
			c.size = model.HumanSize(*st.SizeBytes)
		}
		c.text = m.mountTags(st) + model.Printable(st.Instruction)
		if st.Line > 0 {
			c.text = fmt.Sprintf("L%-3d %s", st.Line, c.text)
		}
		markW, dW, sizeW = max(markW, len(c.mark)), max(dW, len(c.d)), max(sizeW, len(c.size))
		rows = append(rows, c)
	}
	// the columns are as wide as what they hold, so the instruction keeps
	// the rest of the line
	col := func(s string, w int, right bool) string {
		if w == 0 {
			return ""
		}
		if right {
			return fmt.Sprintf("%*s ", w, s)
		}
		return fmt.Sprintf("%-*s ", w, s)
	}
	for i, c := range rows {
		j := g.stepsOff + i
		st := steps[j]
		s := stepState(st)
		text := c.text
		if j == m.selStep {
			text = m.styles.Selected.Render(text)
		}
		line := m.style(s).Render(m.glyph(s)) + " " + m.styles.Cached.Render(col(c.mark, markW, false)) + col(c.d, dW, true) + col(c.size, sizeW, true) + text
		lines = append(lines, ansi.Truncate(line, width, "…"))
	}
	if m.selNode < len(m.build.Stages) { // the checks' warnings of the stage's lines
		for _, w := range m.build.Warnings {
			if len(lines) > body {
				break
			}
			if m.build.Stages[m.selNode].Holds(w.Line) {
				lines = append(lines, ansi.Truncate(m.styles.Warning.Render(fmt.Sprintf("⚠ L%-3d %s", w.Line, model.Printable(w.Short))), width, "…"))
			}
		}
	} else {
		for _, w := range m.build.Warnings {
			if len(lines) > body {
				break
			}
			text := "⚠ " + model.Printable(w.Short)
			if w.Line > 0 {
				text = fmt.Sprintf("⚠ line %d: %s", w.Line, model.Printable(w.Short))
			}
			lines = append(lines, ansi.Truncate(m.styles.Warning.Render(text), width, "…"))
		}
		if l := buildtext.ChecksLine(m.build); l != "" && len(lines) <= body {
			lines = append(lines, ansi.Truncate(m.styles.Warning.Render("⚠ "+l), width, "…"))
		}
		for _, text := range adviceLines(m.build.Advice) {
			if len(lines) > body {
				break
			}
			lines = append(lines, ansi.Truncate(m.styles.Warning.Render(text), width, "…"))
		}
	}
	return strings.Join(lines, "\n")
}

func (m *Model) logsTitle() string {
	st, ok := m.selected()
	if !ok {
		return m.paneTitle(paneLogs, "Logs")
	}
	return m.paneTitle(paneLogs, "Logs of "+model.Printable(st.Name))
}

func (m *Model) renderHelp() string {
	if m.showHelp {
		return common.FullHelp(m.help, m.Width, m.helpKeys().FullHelp())
	}
	note := ""
	if m.note != "" {
		note = m.styles.Warning.Render(m.note)
	}
	keep := []key.Binding{m.keys.Help, m.quitKey()}
	if back, ok := m.backKey(); ok && m.view == viewBuild {
		keep = append(keep, back)
	}
	return common.Footer(m.help, m.Width, note, m.helpKeys().ShortHelp(), keep)
}

// helpHeight is the lines the help takes below the view.
func (m *Model) helpHeight() int {
	if !m.showHelp {
		return 1
	}
	return lipgloss.Height(common.FullHelp(m.help, m.Width, m.helpKeys().FullHelp()))
}

// helpKeys are the keys of the view shown, for its help: of the keys
// that open views, those that work now (offer).
func (m *Model) helpKeys() help.KeyMap {
	k := m.keys
	leave := []key.Binding{k.Back, m.quitKey()}
	switch m.view {
	case viewCache, viewStages, viewDiff, viewTimeline:
		return common.Bindings{m.moveKeys(), m.offered(), append(leave, k.Help)}
	case viewInspect:
		if m.lv != nil {
			return m.lv.HelpWith(m.offered(), append(leave, k.Help))
		}
		return common.Bindings{leave}
	}
	quit := []key.Binding{k.Help, m.quitKey()}
	if m.opts.Replay != nil {
		back := k.Back
		back.SetHelp("esc", "back")
		quit = append(quit, back)
	}
	if !m.opts.Attached && !m.done {
		quit = append(quit, k.Cancel)
	}
	if !m.showHelp {
		lead := []key.Binding{k.Focus, k.Up, k.Down}
		if !m.done && m.logv.Buffer() != nil {
			lead = append(lead, k.Follow, k.Search)
		}
		return common.Bindings{append(append(m.shellKeys(), m.offered()...), lead...), quit} // x and the views first: at 80 columns they stay
	}
	return common.Bindings{
		{k.Up, k.Down, k.Left, k.Right, k.Focus},
		m.logKeys(),
		append(m.shellKeys(), m.offered()...),
		quit,
	}
}
