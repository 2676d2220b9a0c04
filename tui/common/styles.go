// Package common holds what every buildscope view shares: styles, the key
// map (every view's keys, with their help), the size a view is given, and
// the one-line prompt of searches and filters.
package common

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are all the styles of the UI, in one place. They come in a dark
// and a light variant; with NO_COLOR the renderer drops the colours and
// the glyphs and words still tell every state apart.
type Styles struct {
	Header, Title, Dim, Selected, Focused, Border lipgloss.Style
	Waiting, Running, Done, Cached, Failed        lipgloss.Style
	Match, LineNo, ErrLine, Warning, HelpKey      lipgloss.Style
	HelpDesc                                      lipgloss.Style
}

// NewStyles returns the styles for a dark or light terminal background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color { return ld(lipgloss.Color(light), lipgloss.Color(dark)) }
	dim := c("#6b6b6b", "#8a8a8a")
	return Styles{
		Header:   lipgloss.NewStyle().Bold(true).Foreground(c("#1f4fa8", "#7aa2f7")),
		Title:    lipgloss.NewStyle().Bold(true),
		Dim:      lipgloss.NewStyle().Foreground(dim),
		Selected: lipgloss.NewStyle().Reverse(true),
		Focused:  lipgloss.NewStyle().Bold(true).Foreground(c("#1f4fa8", "#7aa2f7")),
		Border:   lipgloss.NewStyle().Foreground(dim),
		Waiting:  lipgloss.NewStyle().Foreground(dim),
		Running:  lipgloss.NewStyle().Foreground(c("#8a5a00", "#e0af68")),
		Done:     lipgloss.NewStyle().Foreground(c("#1c7a1c", "#9ece6a")),
		Cached:   lipgloss.NewStyle().Foreground(c("#006b80", "#7dcfff")),
		Failed:   lipgloss.NewStyle().Bold(true).Foreground(c("#b00020", "#f7768e")),
		Match:    lipgloss.NewStyle().Reverse(true).Bold(true),
		LineNo:   lipgloss.NewStyle().Foreground(dim),
		ErrLine:  lipgloss.NewStyle().Bold(true).Foreground(c("#b00020", "#f7768e")),
		Warning:  lipgloss.NewStyle().Foreground(c("#8a5a00", "#e0af68")),
		HelpKey:  lipgloss.NewStyle().Bold(true),
		HelpDesc: lipgloss.NewStyle().Foreground(dim),
	}
}

// Common is embedded by every view: its size, the shared styles and the
// key map.
type Common struct {
	Width, Height int
	Styles        *Styles
	Keys          *KeyMap
}

// SetSize sets the view's size.
func (c *Common) SetSize(w, h int) { c.Width, c.Height = w, h }
