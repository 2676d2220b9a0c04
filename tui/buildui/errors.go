package buildui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// renderError shows the failing step's error and the Dockerfile lines
// around its instruction, the failing line highlighted, in h lines.
func (m *Model) renderError(h int) string {
	st, _ := m.selected()
	s := m.styles
	lines := []string{ansi.Truncate(s.Failed.Render("✗ "+firstLine(st.Error)), m.Width, "…")}
	src := strings.Split(string(m.opts.Dockerfile), "\n")
	if st.Line > 0 && st.Line <= len(src) {
		ctx := (h - 1) / 2
		from := max(st.Line-ctx, 1)
		to := min(from+h-2, len(src))
		for n := from; n <= to; n++ {
			no := s.LineNo.Render(fmt.Sprintf("%4d │ ", n))
			text := src[n-1]
			if n == st.Line {
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

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
