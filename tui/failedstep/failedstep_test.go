package failedstep

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/common"
)

// Beside the error, the wrote lines take at most 40% of the width; lines
// that do not fit the box's height are counted on its last line, and
// every line fits the width.
func TestBesideFitsAndCounts(t *testing.T) {
	st := common.NewStyles(true)
	wrote := []string{"the step wrote (5 paths, vs its input):", "  A /a  1B", "  A /b  1B", "  A /c  1B", "  A /d  1B", "  A /e-with-a-very-long-name-that-does-not-fit-at-all  1B"}
	errW, wroteW := Columns(80, wrote)
	if wroteW != 32 || errW != 45 {
		t.Errorf("columns %d + %d, want 45 + 32", errW, wroteW)
	}
	out := ansi.Strip(Beside(&st, "✗ exit code: 3", errW, wroteW, 4, wrote))
	lines := strings.Split(out, "\n")
	if len(lines) != 4 || !strings.Contains(lines[3], "… 3 lines more") {
		t.Errorf("want 4 lines, the last counting 3 more:\n%s", out)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 80 {
			t.Errorf("%q is wider than 80", l)
		}
	}
	if w, ww := Columns(80, nil); w != 80 || ww != 0 {
		t.Errorf("nothing beside: columns %d + %d", w, ww)
	}
}

// What is said beside a failed step: the list when held, why it is
// unknown otherwise, nothing for a build the UI does not hold.
func TestWroteLinesSayWhatIsUnknown(t *testing.T) {
	failed := View{StepFailed: true, Digest: "sha256:f", Holding: true}
	s := &State{Held: &Held{Digest: "sha256:f", WroteUnknown: "the failed step's filesystem holds more than 200000 entries"}}
	if got := s.WroteLines(failed); len(got) != 1 || !strings.Contains(got[0], "unknown: the failed step's filesystem") {
		t.Errorf("unknown: %q", got)
	}
	s.Held = &Held{Digest: "sha256:f", Wrote: []compare.FileChange{{Path: "/gone", Kind: "D", Size: [2]int64{5, 0}}}}
	if got := s.WroteLines(failed); len(got) != 2 || got[1] != "  D /gone  5B" {
		t.Errorf("a removed file: %q", got)
	}
	if got := (&State{}).WroteLines(View{StepFailed: true, Replay: true}); len(got) != 1 || !strings.Contains(got[0], "recorded build") {
		t.Errorf("replay: %q", got)
	}
	if got := (&State{}).WroteLines(View{StepFailed: true}); got != nil {
		t.Errorf("a build not held here: %q", got)
	}
	if got := (&State{}).WroteLines(View{StepFailed: true, Holding: true, Done: true}); len(got) != 1 || !strings.Contains(got[0], "did not hold") {
		t.Errorf("held build that ended without holding: %q", got)
	}
	if _, _, ok := Failure(model.Step{}, false, false, &model.Build{}, nil); ok {
		t.Error("a build that did not fail has a failure")
	}
}
