// Package errbox draws a build's error under the build UI's panes: the
// error wrapped to the screen's width, every line of it (the end, where
// the exit code is, is never cut), then the Dockerfile's lines around the
// failing instruction with that line marked.
package errbox

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// Lines is text wrapped to w cells, every line of it, escaped for the
// screen (model.Printable).
func Lines(text string, w int) []string {
	var out []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		out = append(out, strings.Split(ansi.Wrap(model.Printable(l), max(w-2, 10), ""), "\n")...)
	}
	return out
}

// Render is the box in exactly h lines of at most w cells: text wrapped
// (an error longer than h keeps its first lines and its last), then the
// lines of dockerfile around line (1-based; 0: none) that are left room.
func Render(s *common.Styles, w, h int, text string, line int, dockerfile []byte) string {
	errs := Lines(text, w)
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
	src := strings.Split(string(dockerfile), "\n")
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
			lines = append(lines, ansi.Truncate(no+text, w, "…"))
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines[:h], "\n")
}
