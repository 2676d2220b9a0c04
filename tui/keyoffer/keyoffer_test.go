package keyoffer

import (
	"strings"
	"testing"
)

// Each view key in each state: offered, or refused with one line that
// starts with the key and names what to do instead.
func TestOfferEveryState(t *testing.T) {
	full := State{Done: true, Result: true, Why: true, Stages: true, Diff: true, Inspect: true, ID: "abc123def456"}
	for _, tc := range []struct {
		name  string
		s     State
		offer string // the keys offered, in c s d i t order
		says  map[string]string
	}{
		{"live", State{Why: true, Stages: true, Diff: true, Inspect: true}, "t", map[string]string{"s": "once the build is over"}},
		{"done", full, "csdit", nil},
		{"failed", State{Done: true, Failed: true, Why: true, Stages: true, Diff: true, Inspect: true, ID: "f00"}, "ct",
			map[string]string{"s": "the build failed", "d": "no image", "i": "no image"}},
		{"replay without stages or diff", State{Done: true, Result: true, Why: true, Inspect: true, ID: "abc"}, "cit",
			map[string]string{"s": "buildscope stages build:abc", "d": "buildscope diff --image build:abc"}},
		{"foreign", State{Done: true, Result: true, Why: true, ID: "abc"}, "ct", map[string]string{"i": "buildscope inspect IMAGE"}},
		{"bake", State{Done: true, Bake: true}, "t", map[string]string{"c": "one build per target", "s": "--target", "i": "one target's image"}},
	} {
		got := ""
		for _, k := range []string{"c", "s", "d", "i", "t"} {
			ok, why := Offer(k, tc.s)
			if ok {
				got += k
				continue
			}
			if !strings.HasPrefix(why, k+": ") || strings.Contains(why, "\n") {
				t.Errorf("%s: %s refused with %q: want one line starting %q", tc.name, k, why, k+": ")
			}
			if want, ok := tc.says[k]; ok && !strings.Contains(why, want) {
				t.Errorf("%s: %s says %q, want it to say %q", tc.name, k, why, want)
			}
		}
		if got != tc.offer {
			t.Errorf("%s: offered %q, want %q", tc.name, got, tc.offer)
		}
	}
}

// x (a shell in a failed RUN step) is offered only on the failed step
// the builder holds; elsewhere one line says why, and what to do.
func TestOfferShell(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     State
		offer bool
		says  string
	}{
		{"held, on the failed step", State{StepFailed: true, Held: true}, true, ""},
		{"held, another step selected", State{Held: true}, false, "select the step that failed"},
		{"running, no step failed", State{}, false, "select the step that failed"},
		{"failed, not held yet", State{StepFailed: true}, false, "not said yet"},
		{"failed build over, released", State{Done: true, Failed: true, StepFailed: true}, false, "buildscope debug PATH"},
		{"a failed COPY", State{StepFailed: true, NoShell: "the failed step is not a RUN"}, false, "not a RUN"},
		{"a replay", State{Done: true, Failed: true, StepFailed: true, NoShell: "a recorded build keeps no step open"}, false, "recorded"},
	} {
		ok, why := Offer("x", tc.s)
		if ok != tc.offer {
			t.Errorf("%s: offered %v, want %v (%q)", tc.name, ok, tc.offer, why)
			continue
		}
		if !ok && (!strings.HasPrefix(why, "x: ") || strings.Contains(why, "\n") || !strings.Contains(why, tc.says)) {
			t.Errorf("%s: x refused with %q: want one line starting \"x: \" saying %q", tc.name, why, tc.says)
		}
	}
}

// e (edit the failed instruction and re-run it) is offered where x is,
// and where the instruction is known; w only once an edited re-run is
// shown, and until it is written.
func TestOfferEditAndWriteBack(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		s    State
		says string // "" offered
	}{
		{"held, on the failed step", "e", State{StepFailed: true, Held: true}, ""},
		{"another step", "e", State{Held: true}, "select the step that failed"},
		{"instruction unknown", "e", State{StepFailed: true, Held: true, NoEdit: "no Dockerfile location"}, "no Dockerfile location"},
		{"not a RUN", "e", State{StepFailed: true, Held: true, NoShell: "not a RUN"}, "not a RUN"},
		{"released", "e", State{Done: true, StepFailed: true}, "buildscope debug --edit PATH"},
		{"re-running", "e", State{StepFailed: true, Held: true, Busy: true}, "under way"},
		{"no edit yet", "w", State{StepFailed: true, Held: true}, "e edits it"},
		{"edited", "w", State{StepFailed: true, Held: true, Edited: true}, ""},
		{"written", "w", State{StepFailed: true, Held: true, Edited: true, Written: true}, "already written"},
	} {
		ok, why := Offer(tc.key, tc.s)
		if ok != (tc.says == "") || !ok && (!strings.HasPrefix(why, tc.key+": ") || !strings.Contains(why, tc.says)) {
			t.Errorf("%s: %s offered %v, %q; want %q", tc.name, tc.key, ok, why, tc.says)
		}
	}
}
