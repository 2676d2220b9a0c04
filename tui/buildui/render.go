package buildui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/buildtext"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/layersview"
)

// geom is where each pane is, derived from the size alone so that Render
// and mouse handling agree.
type geom struct {
	topH, graphW, logsY, logsH, helpH int
	graphOff, stepsOff                int
	errH                              int
}

func (m *Model) geometry() geom {
	g := geom{helpH: 1}
	if m.showHelp {
		g.helpH = lipgloss.Height(m.help.FullHelpView(m.helpKeys().FullHelp()))
	}
	avail := max(m.Height-1-g.helpH, 6)
	g.logsH = max(avail/2, 3)
	g.topH = avail - g.logsH
	g.logsY = 1 + g.topH
	g.graphW = min(max(m.gw+34, 26), max(m.Width*45/100, 26))
	if st, ok := m.selected(); ok && st.Error != "" {
		g.errH = min(8, g.logsH-2)
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
		return fit(m.renderHeader()+"\n"+pad(m.renderSubView(), m.Width, m.Height-2)+"\n"+m.renderHelp(), m.Width, m.Height)
	}
	g := m.geometry()
	graph := m.renderGraph(g)
	steps := m.renderSteps(g)
	sep := strings.TrimRight(strings.Repeat("│\n", g.topH), "\n")
	top := lipgloss.JoinHorizontal(lipgloss.Top, pad(graph, g.graphW, g.topH), m.styles.Border.Render(sep), " ", pad(steps, m.Width-g.graphW-2, g.topH))
	parts := []string{m.renderHeader(), top}
	if g.errH > 0 {
		parts = append(parts, m.renderError(g.errH))
	}
	parts = append(parts, m.logv.Render(m.logsTitle()), m.renderHelp())
	return fit(strings.Join(parts, "\n"), m.Width, m.Height)
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
	case !m.done && m.canceled:
		status = s.Failed.Render("canceling…")
	case !m.done:
		status = s.Running.Render(m.glyph(stRunning)+" building") + s.Dim.Render(" "+dur(elapsed))
	case b.Status == model.StatusOK:
		status = s.Done.Render("✓ done") + fmt.Sprintf(" in %s · %d/%d steps cached", dur(elapsed), b.Cache.StepsCached, b.Cache.StepsTotal)
		if b.Image != nil {
			status += " · image " + model.HumanSize(b.Image.SizeBytes)
		}
		status += s.Dim.Render(" · q quits")
	default:
		word := "✗ failed"
		if b.Status == model.StatusCanceled {
			word = "✗ canceled"
		}
		status = s.Failed.Render(word) + fmt.Sprintf(" after %s · %d/%d steps cached", dur(elapsed), b.Cache.StepsCached, b.Cache.StepsTotal) + s.Dim.Render(" · q quits")
	}
	left := s.Header.Render("buildscope") + " " + m.opts.Title
	if m.opts.Builder != "" {
		left += s.Dim.Render(" on " + m.opts.Builder)
	}
	return ansi.Truncate(left+"  "+status, m.Width, "…")
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
		text += " " + dur(in.elapsed)
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
	for j := g.stepsOff; j < len(steps) && len(lines) <= body; j++ {
		st := steps[j]
		s := stepState(st)
		mark := "      "
		if st.Cached {
			mark = "CACHED"
		} else if tag, ok := m.reasonTag(st); ok {
			mark = fmt.Sprintf("%-6s", tag)
		}
		d := ""
		switch {
		case st.Completed != nil && st.Started != nil:
			d = dur(st.Duration())
		case st.Started != nil:
			d = dur(m.now.Sub(*st.Started))
		}
		size := ""
		if st.SizeBytes != nil {
			size = model.HumanSize(*st.SizeBytes)
		}
		text := m.mountTags(st) + model.Printable(st.Instruction)
		if st.Line > 0 {
			text = fmt.Sprintf("L%-3d %s", st.Line, text)
		}
		if j == m.selStep {
			text = m.styles.Selected.Render(text)
		}
		line := fmt.Sprintf("%s %s %6s %8s %s", m.style(s).Render(m.glyph(s)), m.styles.Cached.Render(mark), d, size, text)
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
		return m.help.FullHelpView(m.helpKeys().FullHelp())
	}
	return ansi.Truncate(m.help.ShortHelpView(m.helpKeys().ShortHelp()), m.Width, "")
}

// helpKeys are the keys of the view shown, for its help.
func (m *Model) helpKeys() help.KeyMap {
	k := m.keys
	leave := []key.Binding{k.Back, k.Quit}
	switch m.view {
	case viewCache:
		return common.Bindings{{k.Up, k.Down, k.Top, k.Bottom}, leave}
	case viewStages:
		if m.opts.Inspect == nil {
			return common.Bindings{{k.Up, k.Down}, leave}
		}
		return common.Bindings{{k.Up, k.Down, k.Open}, leave}
	case viewDiff:
		return common.Bindings{{k.Up, k.Down, k.PageUp, k.PageDown}, leave}
	case viewTimeline:
		return common.Bindings{{k.Up, k.Down, k.Left, k.Right, k.ZoomIn, k.ZoomOut}, leave}
	case viewInspect:
		if m.lv != nil {
			return inspectorHelp{m.lv, leave}
		}
		return common.Bindings{leave}
	}
	if m.done && !m.showHelp {
		return common.Bindings{{k.Focus, k.Up, k.Down, k.Cache, k.Stages, k.Diff, k.Inspect, k.Timeline, k.Help, k.Quit}}
	}
	return k
}

// inspectorHelp is the inspector's help with the root's keys to leave it.
type inspectorHelp struct {
	lv    *layersview.Model
	leave []key.Binding
}

func (h inspectorHelp) ShortHelp() []key.Binding { return h.lv.HelpBar(h.leave...) }

func (h inspectorHelp) FullHelp() [][]key.Binding { return append(h.lv.FullHelp(), h.leave) }

// dur formats a duration for a narrow column.
func dur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}

// pad makes s exactly w cells wide and h lines high.
func pad(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	lines = lines[:h]
	for i, l := range lines {
		l = ansi.Truncate(l, w, "")
		lines[i] = l + strings.Repeat(" ", max(w-ansi.StringWidth(l), 0))
	}
	return strings.Join(lines, "\n")
}

// fit cuts the screen to w×h.
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "")
	}
	return strings.Join(lines, "\n")
}
