package common

import (
	"os"
	"strings"
)

// ASCII says the terminal may not draw Unicode: the locale is not UTF-8
// or TERM is dumb. The views then draw their marks, lines and spinner in
// ASCII (Glyphs). Tests set it.
var ASCII = asciiTerminal(os.Getenv)

// asciiTerminal reads the locale as the C library does (LC_ALL, then
// LC_CTYPE, then LANG; unset means the C locale) and TERM.
func asciiTerminal(env func(string) string) bool {
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

// Glyphs is s as the terminal can draw it: unchanged, or with every mark
// in ASCII when ASCII is set.
func Glyphs(s string) string {
	if !ASCII {
		return s
	}
	return asciiGlyphs.Replace(s)
}
