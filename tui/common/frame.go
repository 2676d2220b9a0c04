package common

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Frame joins a view's lines, each cut to w cells, keeping the first h.
func Frame(lines []string, w, h int) string {
	lines = lines[:min(len(lines), max(h, 0))]
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], w, "…")
	}
	return strings.Join(lines, "\n")
}

// WheelRows is how many rows a turn of the mouse wheel scrolls: 3 down,
// -3 up.
func WheelRows(msg tea.MouseWheelMsg) int {
	if msg.Mouse().Button == tea.MouseWheelUp {
		return -3
	}
	return 3
}

// ShortenLeft fits s in w cells by cutting it from the left, where a
// path says least ("…/app/Dockerfile"); "" when w leaves no room.
func ShortenLeft(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if w <= 1 {
		return ""
	}
	r := []rune(s)
	for len(r) > 0 && ansi.StringWidth(string(r))+1 > w {
		r = r[1:]
	}
	return "…" + string(r)
}
