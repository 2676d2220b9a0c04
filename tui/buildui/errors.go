package buildui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/errbox"
)

// failure is the error shown under the panes: the selected step's, or,
// when the build failed and no step carries one (the builder failed the
// solve before any step), the build's own. line is the Dockerfile line
// of the failing instruction (0: none).
func (m *Model) failure() (text string, line int, ok bool) {
	if st, ok := m.selected(); ok && st.Error != "" {
		return st.Error, st.Line, true
	}
	if !m.failed() || m.anyStepFailed() {
		return "", 0, false
	}
	switch {
	case m.build.Error != "":
		return m.build.Error, 0, true
	case m.err != nil:
		return m.err.Error(), 0, true
	}
	return "", 0, false
}

func (m *Model) anyStepFailed() bool {
	for _, s := range m.build.Stages {
		for _, st := range s.Steps {
			if st.Error != "" {
				return true
			}
		}
	}
	for _, st := range m.build.Other {
		if st.Error != "" {
			return true
		}
	}
	return false
}

// renderError shows the failing step's error, wrapped, and the
// Dockerfile lines around its instruction, in h lines (errbox); beside
// them, what the failed step wrote (wroteLines), when there is
// something to say about it.
func (m *Model) renderError(h int) string {
	text, line, _ := m.failure()
	errW, wroteW, wrote := m.errColumns()
	box := errbox.Render(&m.styles, errW, h, text, line, m.opts.Dockerfile)
	if wroteW == 0 {
		return box
	}
	var right []string
	for i := 0; i < h; i++ {
		l := ""
		if i < len(wrote) {
			l = ansi.Truncate(wrote[i], wroteW, "…")
		}
		right = append(right, m.styles.Border.Render("│")+" "+l)
	}
	if len(wrote) > h { // the rest did not fit: the last line says so
		right[h-1] = m.styles.Border.Render("│") + " " + ansi.Truncate(fmt.Sprintf("  … %d lines more", len(wrote)-h+1), wroteW, "…")
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, common.Pad(box, errW, h), " ", strings.Join(right, "\n"))
}

// errColumns splits the error box's width between the error and what the
// failed step wrote beside it: wroteW is 0 (errW the whole width) when
// there is nothing to say about it.
func (m *Model) errColumns() (errW, wroteW int, wrote []string) {
	wrote = m.wroteLines()
	if len(wrote) == 0 {
		return m.Width, 0, nil
	}
	widest := 0
	for _, l := range wrote {
		widest = max(widest, ansi.StringWidth(l))
	}
	wroteW = min(widest, m.Width*40/100)
	return m.Width - wroteW - 3, wroteW, wrote
}
