package common

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Footer is a view's one-line help in w cells: the keys of keep (help
// and quit) always end it, and the others give way from the end when the
// line is too narrow for all of them. A note, when set, comes first (a
// one-line reason a key did nothing), cut to leave keep room.
func Footer(h help.Model, w int, note string, keys, keep []key.Binding) string {
	h.SetWidth(0)
	tail := h.ShortHelpView(keep)
	sep := h.ShortSeparator
	room := w - ansi.StringWidth(tail)
	if note != "" {
		return ansi.Truncate(note, max(room-ansi.StringWidth(sep), 0), "…") + sep + tail
	}
	var shown []key.Binding
	used := 0
	for _, b := range keys {
		if !b.Enabled() || containsKey(keep, b) {
			continue
		}
		bw := ansi.StringWidth(b.Help().Key) + 1 + ansi.StringWidth(b.Help().Desc) + ansi.StringWidth(sep)
		if used+bw > room {
			break
		}
		used += bw
		shown = append(shown, b)
	}
	if len(shown) == 0 {
		return tail
	}
	return h.ShortHelpView(append(shown, keep...))
}

func containsKey(bs []key.Binding, b key.Binding) bool {
	for _, x := range bs {
		if x.Help() == b.Help() {
			return true
		}
	}
	return false
}

// FullHelp is every group of keys as columns, in as many rows of columns
// as w cells need, so that no group is left out at 80 columns.
func FullHelp(h help.Model, w int, groups [][]key.Binding) string {
	h.SetWidth(0)
	var rows, row []string
	used := 0
	for _, g := range groups {
		if len(g) == 0 {
			continue
		}
		col := h.FullHelpView([][]key.Binding{g})
		cw := lipgloss.Width(col) + ansi.StringWidth(h.FullSeparator)
		if used > 0 && used+cw > w {
			rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
			row, used = nil, 0
		}
		if used > 0 {
			col = lipgloss.JoinHorizontal(lipgloss.Top, h.FullSeparator, col)
		}
		row = append(row, col)
		used += cw
	}
	if len(row) > 0 {
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	return strings.Join(rows, "\n")
}
