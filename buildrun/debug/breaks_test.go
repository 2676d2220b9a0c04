package debug

import "testing"

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
