package debug

import (
	"io"
	"os"
	"strings"
	"testing"
)

// --break on build reads as debug's does (lines before, after:LINE
// after, sorted, without repeats); a bad value is refused naming the
// form; Plain gives a session only to a build with breaks and no UI, and
// --on-error's session pauses at no line.
func TestBreaksFlag(t *testing.T) {
	var b Breaks
	if err := b.Set("18,after:15,7,18"); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != "18,after:15,7,18" || len(b.Before) != 2 || b.Before[0] != 7 || b.Before[1] != 18 || len(b.After) != 1 || b.After[0] != 15 {
		t.Errorf("Set: %q before %v after %v", got, b.Before, b.After)
	}
	if err := (&Breaks{}).Set("x"); err == nil || !strings.Contains(err.Error(), "after:LINE") {
		t.Errorf("a bad value: %v", err)
	}
	if s := (&Breaks{}).Plain(nil, false, os.Stdin, io.Discard, io.Discard); s != nil {
		t.Errorf("no break: a solver %T", s)
	}
	if s := b.Plain(nil, true, os.Stdin, io.Discard, io.Discard); s != nil {
		t.Errorf("with a UI: a solver %T (the UI's holder pauses)", s)
	}
	other := &Session{}
	if s := b.Plain(other, false, os.Stdin, io.Discard, io.Discard); s != other {
		t.Errorf("debug's own session replaced by %T", s)
	}
	s, ok := b.Plain(nil, false, os.Stdin, io.Discard, io.Discard).(*Session)
	if !ok || len(s.Breaks) != 2 || len(s.After) != 1 || s.Always {
		t.Errorf("plain: %#v", s)
	}
	b.OnError = true
	if s, ok := b.Plain(nil, false, os.Stdin, io.Discard, io.Discard).(*Session); !ok || len(s.Breaks)+len(s.After) != 0 {
		t.Errorf("--on-error: %#v, want a session pausing at no line", s)
	}
}
