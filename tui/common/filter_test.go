package common

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func typeFilter(f *Filter, text string) bool {
	f.Start()
	for _, r := range text {
		f.Key(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return f.Key(tea.KeyPressMsg{Code: tea.KeyEnter})
}

func TestFilterAcceptsAndRefuses(t *testing.T) {
	var f Filter
	if !f.Match("/anything") || f.Title() != "" {
		t.Fatal("an empty filter must pass everything and say nothing")
	}
	if !typeFilter(&f, `^/usr/.*\.so$`) {
		t.Fatal("enter did not put the filter in force")
	}
	if !f.On() || !f.Match("/usr/lib/libc.so") || f.Match("/etc/passwd") {
		t.Fatalf("filter %v matches wrongly", f.Regexp())
	}
	if got := f.Title(); got != `, filter /^/usr/.*\.so$/` {
		t.Fatalf("Title = %q", got)
	}
	typeFilter(&f, "lib(")
	if f.On() || f.Err() == nil {
		t.Fatal("a bad expression must clear the filter and say why")
	}
	if got := f.Title(); !strings.Contains(got, "no filter") || !strings.Contains(got, "missing closing )") {
		t.Fatalf("Title of a refused filter = %q, want the reason", got)
	}
	typeFilter(&f, "")
	if f.On() || f.Err() != nil || f.Title() != "" {
		t.Fatal("an empty expression must clear the filter and the error")
	}
}

func TestFrameCutsWidthAndHeight(t *testing.T) {
	got := Frame([]string{"abcdef", "gh", "ij"}, 4, 2)
	if got != "abc…\ngh" {
		t.Fatalf("Frame = %q", got)
	}
}

func TestFilterTitleEscapesControlBytes(t *testing.T) {
	var f Filter
	typeFilter(&f, "a\x1b[31mb")
	if got := f.Title(); strings.Contains(got, "\x1b") {
		t.Fatalf("Title = %q lets an escape byte reach the terminal", got)
	}
}
