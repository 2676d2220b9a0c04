package buildui

import (
	"github.com/buildscope/buildscope/tui/errbox"
	"github.com/buildscope/buildscope/tui/failedstep"
)

// failure is the error shown under the panes (failedstep.Failure).
func (m *Model) failure() (text string, line int, ok bool) {
	st, sel := m.selected()
	return failedstep.Failure(st, sel, m.failed(), m.build, m.err)
}

// renderError shows the failing step's error, wrapped, and the
// Dockerfile lines around its instruction, in h lines (errbox); beside
// them, what the failed step wrote (failedstep).
func (m *Model) renderError(h int) string {
	text, line, _ := m.failure()
	wrote := m.fstep.WroteLines(m.failedView())
	errW, wroteW := failedstep.Columns(m.Width, wrote)
	return failedstep.Beside(&m.styles, errbox.Render(&m.styles, errW, h, text, line, m.opts.Dockerfile), errW, wroteW, h, wrote)
}
