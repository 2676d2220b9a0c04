package buildui

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/buildrun/dockeredit"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/editstep"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// fakeShell stands for the shell in the held step (launch's runs a
// process through BuildKit's gateway): it counts its runs.
type fakeShell struct {
	runs int
	err  error
}

func (f *fakeShell) Run() error               { f.runs++; return f.err }
func (f *fakeShell) SetStdin(io.Reader)       {}
func (f *fakeShell) SetStdout(io.Writer)      {}
func (f *fakeShell) SetStderr(io.Writer)      {}
func (f *fakeShell) compile() tea.ExecCommand { return f }

// heldModel is the build UI of a real build whose RUN step failed
// (testdata/held: it wrote files, changed one and removed one before
// exit 3), recorded, with the step held as launch hands it over: what it
// wrote as the builder listed it in that build (wrote.json).
func heldModel(t testing.TB, w, h int) (*Model, *fakeShell) {
	events, plan, df := recorded(t, "../../testdata/held/events.jsonl", "../../testdata/held/Dockerfile")
	m := newTestModel(t, events, plan, df, w, h, 2*time.Second)
	services(t, &m.opts)
	m.opts.Cancel, m.opts.Held = func() {}, make(chan failedstep.Held)
	feed(m, events)
	raw, err := os.ReadFile("../../testdata/held/wrote.json")
	if err != nil {
		t.Fatal(err)
	}
	var wrote []compare.FileChange
	if err := json.Unmarshal(raw, &wrote); err != nil {
		t.Fatal(err)
	}
	digest := ""
	for _, e := range events {
		for _, v := range e.Vertexes {
			if v.Error != "" {
				digest = v.Digest.String()
			}
		}
	}
	sh := &fakeShell{}
	released := 0
	df, err = os.ReadFile("../../testdata/held/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	in, err := dockeredit.InstructionAt("Dockerfile", df, 4) // the failed RUN, as the e2e records it
	if err != nil {
		t.Fatal(err)
	}
	edit := &editstep.Edit{Instruction: in, ReRun: func(string) (*debug.Outcome, error) { return nil, errors.New("not in this test") },
		WriteBack: func(*debug.Outcome) (string, error) { return "", errors.New("not in this test") }}
	m.Update(failedstep.Msg{Held: failedstep.Held{Digest: digest, Step: `/bin/sh -c 'sh -c …'`, Cwd: "/work", Wrote: wrote, Shell: sh.compile(),
		Release: func() { released++ }, Edit: edit}})
	return m, sh
}

// On the held failed step, x is in the footer, and beside the error
// what the step wrote: added, changed and removed paths with their
// sizes, the rest counted. On another step x is not offered, and
// pressed it says why.
func TestHeldStepOffersShellAndShowsWrote(t *testing.T) {
	m, _ := heldModel(t, 120, 40)
	s := screen(m)
	for _, want := range []string{"x shell in failed step", "held for a shell", "the step wrote (13 paths",
		"A /tmp/out/f1  2B", "… 5 more (x opens a shell to look)", "exit code: 3"} {
		if !strings.Contains(s, want) {
			t.Errorf("held screen lacks %q:\n%s", want, s)
		}
	}
	m.Update(tuitest.Key("up")) // the step before the failed one
	m.Update(tuitest.Key("tab"))
	m.Update(tuitest.Key("up"))
	if st, _ := m.selected(); st.Error != "" {
		t.Fatalf("still on the failed step %q", st.Name)
	}
	for _, k := range offeredKeys(m) {
		if k == "x" {
			t.Errorf("x offered on a step that did not fail:\n%s", screen(m))
		}
	}
	m.Update(tuitest.Key("x"))
	if s := screen(m); !strings.Contains(s, "x: a shell opens in a failed RUN step") {
		t.Errorf("x on another step does not say why:\n%s", s)
	}
}

// The removed and changed paths are listed with their sizes (before for
// D, after for C) when the screen has room for them.
func TestHeldWroteListsChangedAndRemoved(t *testing.T) {
	m, _ := heldModel(t, 200, 60)
	m.fstep.Held.Wrote = m.fstep.Held.Wrote[len(m.fstep.Held.Wrote)-3:] // A /tmp/out/p, D /work/gone, C /work/one
	m.settle()
	s := screen(m)
	for _, want := range []string{"A /tmp/out/p  8B", "D /work/gone  5B", "C /work/one  14B"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
}

// x gives the terminal to the shell (tea.Exec) and the UI comes back as
// it was: the same step selected, the same screen; a shell that could
// not start says why.
func TestShellComesBackToTheSameSelection(t *testing.T) {
	m, sh := heldModel(t, 100, 30)
	node, step := m.selNode, m.selStep
	before := screen(m)
	_, cmd := m.Update(tuitest.Key("x"))
	if cmd == nil {
		t.Fatal("x started nothing")
	}
	if _, ok := cmd().(failedstep.ShellDoneMsg); ok {
		t.Fatal("x ran the shell in the UI's goroutine, not through tea.Exec")
	}
	m.Update(failedstep.ShellDoneMsg{}) // what tea.Exec's callback delivers once the shell exited
	if m.selNode != node || m.selStep != step || screen(m) != before {
		t.Errorf("back from the shell: selection %d/%d (was %d/%d), screen:\n%s\nwas:\n%s", m.selNode, m.selStep, node, step, screen(m), before)
	}
	if sh.runs != 0 {
		t.Errorf("the shell ran %d times outside the program", sh.runs)
	}
	m.Update(failedstep.ShellDoneMsg{Err: errors.New("starting /bin/sh: no such file")})
	if s := screen(m); !strings.Contains(s, "x: starting /bin/sh: no such file") {
		t.Errorf("a shell that failed does not say why:\n%s", s)
	}
}

// q on a held build lets the builder end it (not a cancel: the record
// says failed) and quits once it has; the shell is no longer offered.
func TestQuitReleasesHeldBuild(t *testing.T) {
	m, _ := heldModel(t, 100, 30)
	released, canceled := 0, 0
	m.fstep.Held.Release = func() { released++ }
	m.opts.Cancel = func() { canceled++ }
	if _, cmd := m.Update(tuitest.Key("q")); cmd != nil || released != 1 || canceled != 0 {
		t.Fatalf("q: released %d, canceled %d, cmd %v", released, canceled, cmd)
	}
	if ok, _ := m.fstep.Offer(m.failedView()); ok {
		t.Error("x still offered once the build was let go")
	}
	b := m.folder.Build()
	b.Status, b.Error = model.StatusError, "exit code: 3"
	if _, cmd := m.Update(DoneMsg{Build: b}); cmd == nil {
		t.Fatal("the UI did not quit once the released build ended")
	} else if _, ok := runBounded(cmd).(tea.QuitMsg); !ok {
		t.Error("the UI did not quit once the released build ended")
	}
}

// Ctrl-C on a held build lets it end as failed too: the build already
// failed, it is not canceled.
func TestCtrlCReleasesHeldBuild(t *testing.T) {
	m, _ := heldModel(t, 100, 30)
	released, canceled := 0, 0
	m.fstep.Held.Release = func() { released++ }
	m.opts.Cancel = func() { canceled++ }
	m.Update(tuitest.Key("ctrl+c"))
	if released != 1 || canceled != 0 || m.canceled {
		t.Errorf("ctrl+c on a held build: released %d, canceled %d", released, canceled)
	}
}
