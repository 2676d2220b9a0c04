// Package stagesview shows what each stage weighs: one bar per stage,
// proportional to its size, the final image highlighted, the single-stage
// equivalent, and what the final image left behind.
package stagesview

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/common"
)

// Model is the stages view.
type Model struct {
	common.Common
	rep *compare.StageReport
	err error
	sel int
}

// New returns the view of a report (nil while it is measured; err when
// measuring failed).
func New(c common.Common, rep *compare.StageReport, err error) *Model {
	return &Model{Common: c, rep: rep, err: err}
}

// Selected is the stage under the cursor, if any.
func (m *Model) Selected() (compare.StageSize, bool) {
	if m.rep == nil || m.sel >= len(m.rep.Stages) {
		return compare.StageSize{}, false
	}
	return m.rep.Stages[m.sel], true
}

// Rows is how many stages the view lists.
func (m *Model) Rows() int {
	if m.rep == nil {
		return 0
	}
	return len(m.rep.Stages)
}

// Update moves the selection.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && m.rep != nil {
		switch {
		case key.Matches(k, m.Keys.Up):
			m.sel = max(m.sel-1, 0)
		case key.Matches(k, m.Keys.Down):
			m.sel = min(m.sel+1, len(m.rep.Stages)-1)
		}
	}
	return nil
}

func size(n int64) string { return model.HumanSize(n) }

// View draws the bars and the lists.
func (m *Model) View() string {
	s := m.Styles
	switch {
	case m.err != nil:
		return s.Failed.Render("cannot measure the stages: " + m.err.Error())
	case m.rep == nil:
		return s.Dim.Render("building every stage as a target and measuring it…")
	}
	rep := m.rep
	lines := []string{s.Title.Render("Stage sizes (uncompressed; compressed in brackets)")}
	var largest int64
	nameW := 5
	for _, st := range rep.Stages {
		largest = max(largest, st.SizeBytes)
		nameW = max(nameW, len(st.Name))
	}
	barW := max(m.Width-nameW-30, 10)
	for i, st := range rep.Stages {
		n := 1
		if largest > 0 {
			n = max(1, int(int64(barW)*st.SizeBytes/largest))
		}
		bar := strings.Repeat("█", n)
		name := fmt.Sprintf("%-*s", nameW, st.Name)
		if st.Final {
			bar = s.Done.Render(bar)
			name = s.Done.Render(name)
		} else {
			bar = s.Cached.Render(bar)
		}
		if i == m.sel {
			name = s.Selected.Render(ansi.Strip(name))
		}
		label := fmt.Sprintf(" %s (%s) %d layers", size(st.SizeBytes), size(st.CompressedBytes), st.Layers)
		if st.Final {
			label += " final"
		}
		lines = append(lines, ansi.Truncate(name+" "+bar+label, m.Width, "…"))
	}
	if ss := rep.SingleStage; ss != nil {
		lines = append(lines, "", fmt.Sprintf("Shipping %s (the single-stage equivalent) would weigh %s; %s weighs %s: %.1f%% of it, %s saved.",
			ss.Stage, size(ss.SizeBytes), rep.Final.Name, size(ss.FinalBytes), 100*ss.Ratio, size(ss.SavedBytes)))
	}
	if len(rep.LeftBehind) > 0 {
		lines = append(lines, "", s.Title.Render("Left behind by "+rep.Final.Name))
		for _, l := range rep.LeftBehind {
			lines = append(lines, fmt.Sprintf("  %-32s %10s  in %s", l.Path, size(l.SizeBytes), l.Stage))
		}
	}
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], m.Width, "…")
	}
	if len(lines) > m.Height {
		lines = lines[:m.Height]
	}
	return strings.Join(lines, "\n")
}
