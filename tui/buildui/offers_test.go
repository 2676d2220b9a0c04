package buildui

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/tui/tuitest"
)

func stateNamed(t *testing.T, name string) uiState {
	for _, st := range uiStates() {
		if st.name == name {
			return st
		}
	}
	t.Fatalf("no state %s", name)
	return uiState{}
}

// A replay shows why each step ran (new, …) as soon as it opens, without
// visiting c first.
func TestReplayShowsReasonsWithoutC(t *testing.T) {
	m := stateNamed(t, "replay").make(t, 100, 30)
	if s := screen(m); !strings.Contains(s, " new ") {
		t.Errorf("replay steps lack their reason tags:\n%s", s)
	}
}

// After a failed build, s says at once that the stages cannot be
// measured, and starts no measuring.
func TestFailedBuildRefusesStagesAtOnce(t *testing.T) {
	m := stateNamed(t, "failed").make(t, 100, 30)
	_, cmd := m.Update(tuitest.Key("s"))
	if cmd != nil || m.stagesBusy || m.view != viewBuild {
		t.Fatalf("s after a failed build started measuring (view %v)", m.view)
	}
	if s := screen(m); !strings.Contains(s, "s: the build failed") {
		t.Errorf("s after a failed build does not say why:\n%s", s)
	}
}

// A base image that cannot be loaded fails the build in `load metadata`,
// outside every stage: that vertex is selected and its error shown
// whole, wrapped, at 80 columns.
func TestLoadMetadataFailureSelected(t *testing.T) {
	m := stateNamed(t, "nobase").make(t, 80, 24)
	st, ok := m.selected()
	if !ok || !strings.Contains(st.Name, "load metadata") {
		t.Fatalf("selected %q, want the load metadata vertex", st.Name)
	}
	s := screen(m)
	if !strings.Contains(s, "manifests/latest: 404 Not Found") {
		t.Errorf("the error's end is cut:\n%s", s)
	}
}

// A failed step's error is wrapped, not cut: its exit code shows at 80
// columns.
func TestFailedStepErrorKeepsExitCode(t *testing.T) {
	m := stateNamed(t, "failed").make(t, 80, 24)
	if s := screen(m); !strings.Contains(s, "exit code: 3") {
		t.Errorf("the exit code is cut:\n%s", s)
	}
}

// q on a running build asks; n keeps it running, y cancels it; Ctrl-C
// cancels at once; q on an attached build detaches without asking.
func TestQuitAsksOnRunningBuild(t *testing.T) {
	m := stateNamed(t, "live").make(t, 100, 30)
	canceled := 0
	m.opts.Cancel = func() { canceled++ }
	m.Update(tuitest.Key("q"))
	if canceled != 0 || !strings.Contains(screen(m), "cancel the build? y/n") {
		t.Fatalf("q canceled at once or did not ask:\n%s", screen(m))
	}
	m.Update(tuitest.Key("n"))
	if canceled != 0 || !strings.Contains(screen(m), "the build goes on") {
		t.Fatalf("n did not keep the build:\n%s", screen(m))
	}
	m.Update(tuitest.Key("q"))
	m.Update(tuitest.Key("y"))
	if canceled != 1 {
		t.Fatalf("y did not cancel (%d)", canceled)
	}
	m = stateNamed(t, "live").make(t, 100, 30)
	m.opts.Cancel = func() { canceled++ }
	m.Update(tuitest.Key("ctrl+c"))
	if canceled != 2 {
		t.Fatal("ctrl+c did not cancel at once")
	}
	m = stateNamed(t, "attached").make(t, 100, 30)
	m.opts.Cancel = func() { canceled++ }
	m.Update(tuitest.Key("q"))
	if canceled != 3 {
		t.Fatal("q did not detach at once from an attached build")
	}
}

// Esc on a replay's build view goes back (to the list it was opened
// from).
func TestEscLeavesReplay(t *testing.T) {
	m := stateNamed(t, "replay").make(t, 100, 30)
	_, cmd := m.Update(tuitest.Key("esc"))
	if !settleAll(m, cmd, 5) {
		t.Fatal("esc did not leave the replay")
	}
}

// From 80x24 to 250x70, in every state and with a long context path: the
// header keeps the build's status, the footer keeps ? help and q, and
// every line fits.
func TestStatusAndFooterAtEverySize(t *testing.T) {
	status := map[string]string{"live": "building", "attached": "building", "done": "done", "failed": "failed", "held": "failed", "nobase": "failed",
		"replay": "done", "foreign": "done", "bake": "done"}
	for _, st := range uiStates() {
		for _, size := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {200, 60}, {250, 70}} {
			m := st.make(t, size[0], size[1])
			m.opts.Title = "/home/a-user-with-a-long-name/src/github.com/some-organisation/some-project/services/api"
			lines := strings.Split(screen(m), "\n")
			if !strings.Contains(lines[0], status[st.name]) || !strings.Contains(lines[0], "services/api") {
				t.Errorf("%s %v: header %q", st.name, size, lines[0])
			}
			foot := lines[len(lines)-1]
			if !strings.Contains(foot, "? help") || !strings.Contains(foot, "q ") {
				t.Errorf("%s %v: footer %q", st.name, size, foot)
			}
			for i, l := range lines {
				if w := len([]rune(l)); w > size[0] {
					t.Errorf("%s %v: line %d is %d wide", st.name, size, i, w)
				}
			}
		}
	}
}
