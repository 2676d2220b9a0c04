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
