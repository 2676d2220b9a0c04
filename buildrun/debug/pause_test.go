package debug

import (
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model/dockerfile"
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
	if s := (&Breaks{}).Plain(nil, false, nil, "", os.Stdin, io.Discard, io.Discard); s != nil {
		t.Errorf("no break: a solver %T", s)
	}
	if s := b.Plain(nil, true, nil, "", os.Stdin, io.Discard, io.Discard); s != nil {
		t.Errorf("with a UI: a solver %T (the UI's holder pauses)", s)
	}
	other := &Session{}
	if s := b.Plain(other, false, nil, "", os.Stdin, io.Discard, io.Discard); s != other {
		t.Errorf("debug's own session replaced by %T", s)
	}
	s, ok := b.Plain(nil, false, nil, "", os.Stdin, io.Discard, io.Discard).(*Session)
	if !ok || len(s.Breaks) != 2 || len(s.After) != 1 || s.Always {
		t.Errorf("plain: %#v", s)
	}
	b.OnError = true
	if s, ok := b.Plain(nil, false, nil, "", os.Stdin, io.Discard, io.Discard).(*Session); !ok || len(s.Breaks)+len(s.After) != 0 {
		t.Errorf("--on-error: %#v, want a session pausing at no line", s)
	}
}

// Break lines no step of the build can be on (before the first FROM, or
// in a stage the target does not need) are dropped and said, so that a
// build with none left runs as without --break; a line of a built stage
// stays, a comment there too (only the frontend's source map knows which
// lines its steps span).
func TestBreaksDropLinesNoStepIsOn(t *testing.T) {
	df, err := os.ReadFile("../../testdata/multistage.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := dockerfile.Parse("Dockerfile", df, nil)
	if err != nil {
		t.Fatal(err)
	}
	first, builder := plan.Stages[0].Instructions[0].Line, plan.Stage("builder")
	last := plan.Stages[len(plan.Stages)-1]
	var b Breaks
	if err := b.Set(fmt.Sprintf("1,%d,after:%d,%d", first, builder.Instructions[1].Line, last.Instructions[1].Line)); err != nil {
		t.Fatal(err)
	}
	var said strings.Builder
	b.Plain(nil, false, plan, "", os.Stdin, &said, &said)
	if len(b.Before) != 2 || b.Before[0] != first || len(b.After) != 1 {
		t.Errorf("the last stage's build: before %v after %v, want line 1 dropped", b.Before, b.After)
	}
	if !strings.Contains(said.String(), "no step of this build is on line 1 of the Dockerfile") {
		t.Errorf("said %q", said.String())
	}
	b = Breaks{}
	b.Set(fmt.Sprint(last.Instructions[1].Line))
	said.Reset()
	if s := b.Plain(nil, false, plan, "builder", os.Stdin, &said, &said); s != nil || b.Any() {
		t.Errorf("--target builder, a break in the last stage: solver %T, breaks %v; want none left (a plain build)", s, b.Before)
	}
}
