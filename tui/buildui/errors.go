package buildui

import "github.com/buildscope/buildscope/tui/errbox"

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
// Dockerfile lines around its instruction, in h lines (errbox).
func (m *Model) renderError(h int) string {
	text, line, _ := m.failure()
	return errbox.Render(&m.styles, m.Width, h, text, line, m.opts.Dockerfile)
}
