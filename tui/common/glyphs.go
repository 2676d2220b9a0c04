package common

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// ASCIITerminal says the terminal env describes may not draw Unicode:
// the locale is not UTF-8 or TERM is dumb. It reads the locale as the C
// library does (LC_ALL, then LC_CTYPE, then LANG; unset means the C
// locale). A program on such a terminal draws its marks, lines and
// spinner in ASCII (ForTerminal).
func ASCIITerminal(env func(string) string) bool {
	if env("TERM") == "dumb" {
		return true
	}
	for _, name := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := env(name); v != "" {
			v = strings.ToLower(v)
			return !strings.Contains(v, "utf-8") && !strings.Contains(v, "utf8")
		}
	}
	return true
}

// asciiGlyphs maps every mark the views draw to one ASCII cell, so that
// a screen keeps its layout.
var asciiGlyphs = strings.NewReplacer(
	"✓", "+", "✗", "x", "≡", "=", "○", "o", "●", "*", "⟳", "~",
	"│", "|", "─", "-", "┌", "+", "┐", "+", "└", "+", "┘", "+", "├", "+", "┤", "+", "┬", "+", "┴", "+", "┼", "+",
	"╭", "+", "╮", "+", "╰", "+", "╯", "+",
	"▸", ">", "▾", "v", "▶", ">", "›", ">", "▏", "|", "█", "#", "▒", "#", "░", ".",
	"⚠", "!", "…", "~", "·", ".", "→", ">", "←", "<", "↑", "^", "↓", "v", "×", "x", "•", "*",
	"◆", "o", "✎", "*", "≈", "~", "–", "-",
	// the spinner (MiniDot) turns as | / - \
	"⠋", "|", "⠙", "/", "⠹", "-", "⠸", "\\", "⠼", "|", "⠴", "/", "⠦", "-", "⠧", "\\", "⠇", "|", "⠏", "/",
)

// Glyphs is s with every mark the views draw in ASCII.
func Glyphs(s string) string { return asciiGlyphs.Replace(s) }

// ForTerminal is m as a terminal draws it: unchanged, or with ascii every
// frame's marks in ASCII (Glyphs). The views draw UTF-8 and know nothing
// of the terminal.
func ForTerminal(m tea.Model, ascii bool) tea.Model {
	if !ascii {
		return m
	}
	return asciiModel{m}
}

// asciiModel draws its model's frames in ASCII.
type asciiModel struct{ tea.Model }

func (a asciiModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := a.Model.Update(msg)
	return asciiModel{m}, cmd
}

func (a asciiModel) View() tea.View {
	v := a.Model.View()
	v.Content = Glyphs(v.Content)
	return v
}
