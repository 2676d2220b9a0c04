package debug

import (
	"strings"
	"testing"
)

// --break takes sorted, unique line numbers; anything else is refused
// with the form it takes.
func TestParseBreaks(t *testing.T) {
	got, err := ParseBreaks("18, 13,15,18")
	if err != nil || len(got) != 3 || got[0] != 13 || got[1] != 15 || got[2] != 18 {
		t.Errorf("ParseBreaks(\"18, 13,15,18\") = %v, %v", got, err)
	}
	for _, bad := range []string{"", "x", "0", "-2", "3,,4", "3.5"} {
		if _, err := ParseBreaks(bad); err == nil {
			t.Errorf("ParseBreaks(%q) took it", bad)
		}
	}
}

// The record's note names each pause by its line, then the failed step.
func TestNoteNamesPauses(t *testing.T) {
	s := &Session{Paused: []Ran{{Args: []string{"/bin/sh"}, Line: 15}}, Ran: &Ran{Step: []string{"make"}, Args: []string{"/bin/sh"}, ExitCode: 1}}
	want := "a debug session ran `/bin/sh` before line 15 (exit 0); a debug session ran `/bin/sh` in the failed step `make` (exit 1)"
	if got := s.Note(); got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}

// --break takes after:LINE beside LINE: pauses after the step on a line,
// each list sorted; a bad after: is refused with the form it takes.
func TestBreakTakesAfter(t *testing.T) {
	s := &Session{}
	if err := s.Break("18,after:15, after:12,7"); err != nil || len(s.Breaks) != 2 || s.Breaks[0] != 7 || len(s.After) != 2 || s.After[0] != 12 || s.After[1] != 15 {
		t.Errorf("Break: %v, before %v after %v", err, s.Breaks, s.After)
	}
	for _, bad := range []string{"after:", "after:x", "7,after:0"} {
		if err := (&Session{}).Break(bad); err == nil || !strings.Contains(err.Error(), "after:LINE") {
			t.Errorf("Break(%q): %v", bad, err)
		}
	}
	s = &Session{Paused: []Ran{{Args: []string{"/bin/sh"}, Line: 15, After: true}}}
	if got := s.Note(); got != "a debug session ran `/bin/sh` after line 15 (exit 0)" {
		t.Errorf("note %q", got)
	}
}
