package buildui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
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

// errorLines is an error wrapped to the screen's width, every line of it:
// the end (the exit code) is never cut.
func (m *Model) errorLines(text string) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(model.Printable(text), "\n"), "\n") {
		out = append(out, strings.Split(ansi.Wrap(l, max(m.Width-2, 10), ""), "\n")...)
	}
	return out
}

// renderError shows the failing step's error, wrapped, and the
// Dockerfile lines around its instruction, the failing line
// highlighted, in h lines. An error longer than h keeps its first lines
// and its last (where the exit code is).
func (m *Model) renderError(h int) string {
	text, line, _ := m.failure()
	s := m.styles
	errs := m.errorLines(text)
	if len(errs) > h {
		errs = append(errs[:h-1:h-1], errs[len(errs)-1])
	}
	var lines []string
	for i, l := range errs {
		mark := "  "
		if i == 0 {
			mark = "✗ "
		}
		lines = append(lines, s.Failed.Render(mark+l))
	}
	src := strings.Split(string(m.opts.Dockerfile), "\n")
	if room := h - len(lines); line > 0 && line <= len(src) && room > 0 {
		ctx := (room - 1) / 2
		from := max(line-ctx, 1)
		to := min(from+room-1, len(src))
		for n := from; n <= to; n++ {
			no := s.LineNo.Render(fmt.Sprintf("%4d │ ", n))
			text := src[n-1]
			if n == line {
				no = s.ErrLine.Render(fmt.Sprintf("%4d ▶ ", n))
				text = s.ErrLine.Render(text)
			}
			lines = append(lines, ansi.Truncate(no+text, m.Width, "…"))
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}
