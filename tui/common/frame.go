package common

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
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

// ExpandTabs puts spaces for each tab, up to the next multiple of 8:
// a file's text as a terminal shows it (model.Printable would escape
// the tab).
func ExpandTabs(l string) string {
	if !strings.Contains(l, "\t") {
		return l
	}
	var b strings.Builder
	col := 0
	for _, r := range l {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// FileText is a line of a file as the screen shows it: tabs as spaces
// (ExpandTabs), a backslash as itself, and only what a terminal would
// act on (control characters, invalid UTF-8) escaped as model.Printable
// does, so that a diff on screen is the file's text.
func FileText(l string) string {
	l = ExpandTabs(l)
	if !strings.ContainsFunc(l, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) && r != ' ' }) {
		return l
	}
	var b strings.Builder
	for _, part := range strings.SplitAfter(l, `\`) {
		text, slash := strings.CutSuffix(part, `\`)
		b.WriteString(model.Printable(text))
		if slash {
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// Pad makes s exactly w cells wide and h lines high.
func Pad(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	for len(lines) < h {
		lines = append(lines, "")
	}
	lines = lines[:h]
	for i, l := range lines {
		l = ansi.Truncate(l, w, "")
		lines[i] = l + strings.Repeat(" ", max(w-ansi.StringWidth(l), 0))
	}
	return strings.Join(lines, "\n")
}

// Fit cuts the screen to w×h.
func Fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "")
	}
	return strings.Join(lines, "\n")
}

// Dur is a duration for a narrow column: 350ms, 1.5s, 2m3s.
func Dur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(time.Second).String()
}
