package common

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// The locale decides as the C library does: LC_ALL over LC_CTYPE over
// LANG, unset is C; TERM=dumb is ASCII whatever the locale.
func TestASCIITerminal(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "en_US.UTF-8", "TERM": "xterm"}, false},
		{map[string]string{"LANG": "C", "TERM": "xterm"}, true},
		{map[string]string{"LANG": "en_US.UTF-8", "TERM": "dumb"}, true},
		{map[string]string{"LC_ALL": "C", "LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LC_CTYPE": "C.utf8", "LANG": "C"}, false},
		{map[string]string{}, true},
	} {
		if got := ASCIITerminal(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("%v: ascii %v, want %v", tc.env, got, tc.want)
		}
	}
}

// In ASCII every mark the views draw is one ASCII cell, so the layout
// holds: the screen's width is unchanged and no byte is above 0x7f.
func TestGlyphsASCIIKeepsWidths(t *testing.T) {
	in := "✓ done ≡ CACHED │ ⠼ building ▸ Stages ⚠ L3 … · → ├─┴─┘ ✗ ○ ⟳ › ▶ ▾ █"
	out := Glyphs(in)
	if ansi.StringWidth(out) != ansi.StringWidth(in) {
		t.Errorf("width %d → %d: %q", ansi.StringWidth(in), ansi.StringWidth(out), out)
	}
	for _, r := range out {
		if r > 0x7f {
			t.Fatalf("%q left in %q", r, out)
		}
	}
}

// ForTerminal draws a UTF-8 terminal's frames as the model does, and an
// ASCII terminal's with Glyphs, after every update too.
func TestForTerminal(t *testing.T) {
	m := frame("✓ done │ ⠼")
	if ForTerminal(m, false).View().Content != "✓ done │ ⠼" {
		t.Error("a UTF-8 terminal's frame was changed")
	}
	a := ForTerminal(m, true)
	a, _ = a.Update(nil)
	if got := a.View().Content; got != "+ done | |" {
		t.Errorf("an ASCII terminal's frame after an update: %q", got)
	}
}

// frame is a model that draws one string.
type frame string

func (f frame) Init() tea.Cmd                       { return nil }
func (f frame) Update(tea.Msg) (tea.Model, tea.Cmd) { return f, nil }
func (f frame) View() tea.View                      { return tea.NewView(string(f)) }

// A file's line on screen is its text: tabs to the next stop of 8, a
// backslash as itself, \n as the two characters it is; only what a
// terminal would act on is escaped.
func TestFileText(t *testing.T) {
	for in, want := range map[string]string{
		"a\tb":          "a       b",
		"\tx\\n\\t":     "        x\\n\\t",
		"bell\a":        `bell\x07`,
		`C:\path\file`:  `C:\path\file`,
		"esc\x1b[31m\\": `esc\e[31m\`,
	} {
		if got := FileText(in); got != want {
			t.Errorf("FileText(%q) = %q, want %q", in, got, want)
		}
	}
}
