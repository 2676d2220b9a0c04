package buildui

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/tuitest"
)

func teaSize(w, h int) tea.WindowSizeMsg { return tea.WindowSizeMsg{Width: w, Height: h} }

func press(s string) tea.KeyPressMsg { return tuitest.Key(s) }

func stateOf(m *Model, stage string) state {
	for _, s := range m.build.Stages {
		if s.Name == stage {
			return m.stageInfo(s).state
		}
	}
	return -1
}

func TestUpdateFollowsRecordedBuild(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, 0)
	if len(m.nodes) != 3 || m.nodes[2].ID != imageNode {
		t.Fatalf("graph nodes %+v: want builder, production, image", m.nodes)
	}
	sawRunning := false
	for _, e := range events {
		m.Update(StatusMsg{e})
		// while a step runs, the selection follows it
		for _, v := range e.Vertexes {
			if v.Started != nil && v.Completed == nil && strings.HasPrefix(v.Name, "[builder") {
				st, _ := m.selected()
				if st.Digest != v.Digest.String() {
					t.Fatalf("running %q but %q selected", v.Name, st.Name)
				}
				sawRunning = true
			}
		}
	}
	if !sawRunning {
		t.Fatal("the recording has no running builder step")
	}
	done(m, model.StatusOK, "")
	if stateOf(m, "builder") != stDone || stateOf(m, "production") != stDone || m.imageState() != stDone {
		t.Errorf("states after the build: builder %v production %v image %v", stateOf(m, "builder"), stateOf(m, "production"), m.imageState())
	}
	// logs of the RUN that printed nothing are empty; every step has a buffer once selected
	m.Update(press("tab"))
	m.Update(press("down"))
	if m.focus != paneSteps {
		t.Errorf("tab did not move focus to the steps")
	}
}

// Shuffled and repeated updates end in the same state.
func TestUpdateOutOfOrderDuplicates(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
	a := newTestModel(t, events, plan, df, 100, 30, 0)
	feed(a, events)
	shuffled := append(append([]*client.SolveStatus(nil), events...), events...)
	rand.New(rand.NewSource(7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	b := newTestModel(t, events, plan, df, 100, 30, 0)
	feed(b, shuffled)
	for _, name := range []string{"stage-0", "assets", "compile", "combine"} {
		if stateOf(a, name) != stateOf(b, name) {
			t.Errorf("%s: %v in order, %v shuffled", name, stateOf(a, name), stateOf(b, name))
		}
	}
	// the graphs agree (which step is selected depends on arrival order)
	if got, want := ansi.Strip(b.renderGraph(b.geometry())), ansi.Strip(a.renderGraph(a.geometry())); got != want {
		t.Errorf("graphs differ:\n%s\n---\n%s", got, want)
	}
}

// Stages BuildKit runs in parallel are running at the same time.
func TestUpdateParallelStages(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, 0)
	both := false
	for _, e := range events {
		m.Update(StatusMsg{e})
		if stateOf(m, "assets") == stRunning && stateOf(m, "compile") == stRunning {
			both = true
			s := screen(m)
			if strings.Count(s, "running") < 2 {
				t.Errorf("both stages run but the screen shows:\n%s", s)
			}
			break
		}
	}
	if !both {
		t.Error("assets and compile never ran at the same time")
	}
}

func TestUpdateFailureSelectsFailingStep(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/fail.jsonl", "../../testdata/fail/Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, 0)
	feed(m, events)
	m.Update(press("tab"))
	m.Update(press("tab")) // focus logs; the user moves away
	m.selNode, m.selStep = 0, 0
	done(m, model.StatusError, "process did not complete successfully: exit code: 3")
	st, _ := m.selected()
	if st.Line != 4 || st.Error == "" {
		t.Fatalf("selected %+v, want the failing step on line 4", st)
	}
	s := screen(m)
	for _, want := range []string{"4 ▶ RUN echo \"error: missing semicolon\"", "error: missing semicolon", "✗ failed"} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}
}

func TestCtrlCCancelsThenQuits(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	canceled := 0
	m := New(Options{Plan: plan, Dockerfile: df, Cancel: func() { canceled++ }})
	m.Update(teaSize(80, 24))
	feed(m, events[:10])
	if _, cmd := m.Update(press("ctrl+c")); cmd != nil {
		t.Error("ctrl+c quit before the build stopped")
	}
	if canceled != 1 || !strings.Contains(screen(m), "canceling") {
		t.Errorf("cancel called %d times; screen:\n%s", canceled, screen(m))
	}
	b := m.Build()
	b.Status = model.StatusCanceled
	_, cmd := m.Update(DoneMsg{Build: b})
	if cmd == nil {
		t.Fatal("no quit after the canceled build stopped")
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("the command after cancel is not quit")
	}
}

func TestSearchLogs(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/fail.jsonl", "../../testdata/fail/Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, time.Second)
	feed(m, events)
	done(m, model.StatusError, "exit code: 3")
	for _, k := range []string{"/", "s", "e", "m", "i", "enter"} {
		m.Update(press(k))
	}
	if m.logv.Query() != "semi" || !strings.Contains(screen(m), "/semi 1 matches") {
		t.Errorf("search: query %q screen:\n%s", m.logv.Query(), screen(m))
	}
	if _, cmd := m.Update(press("q")); cmd == nil {
		t.Error("q after the build did not quit")
	}
}

func TestMouseClickSelectsStage(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, 0)
	feed(m, events)
	done(m, model.StatusOK, "")
	// find the screen row of "compile"
	for y, line := range strings.Split(screen(m), "\n") {
		if strings.Contains(line, " compile ") {
			m.Update(tea.MouseClickMsg{X: 4, Y: y, Button: tea.MouseLeft})
			break
		}
	}
	if m.nodeName(m.selNode) != "compile" {
		t.Errorf("clicked compile, selected %s", m.nodeName(m.selNode))
	}
}

// Every size from tiny to huge draws exactly the screen, nothing wider,
// through resizes while the build runs.
func TestRenderFitsEverySize(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
	m := newTestModel(t, events, plan, df, 80, 24, 0)
	sizes := [][2]int{{80, 24}, {250, 70}, {40, 10}, {20, 5}, {160, 48}, {100, 30}}
	for i, e := range events {
		m.Update(StatusMsg{e})
		sz := sizes[i%len(sizes)]
		m.Update(teaSize(sz[0], sz[1]))
		if i%3 == 0 {
			m.Update(press("?"))
		}
		lines := strings.Split(m.Render(), "\n")
		if len(lines) > sz[1] {
			t.Fatalf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		for _, l := range lines {
			if w := ansi.StringWidth(l); w > sz[0] {
				t.Fatalf("%dx%d: line %d cells wide: %q", sz[0], sz[1], w, ansi.Strip(l))
			}
		}
	}
}

// After the build: c opens the cache view with each miss's reason, s the
// stage sizes, esc goes back; missed steps carry their reason in the list.
func TestViewsAfterBuild(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, time.Second)
	m.opts.Why = func(b *model.Build) (*why.Explanation, error) { return why.Explain(b, nil), nil }
	rep := &compare.StageReport{Stages: []compare.StageSize{{Name: "builder", SizeBytes: 28e6, CompressedBytes: 27e6, Layers: 7},
		{Name: "production", SizeBytes: 2e6, CompressedBytes: 1e6, Layers: 4, Final: true}},
		Final: compare.FinalSize{Name: "production", SizeBytes: 2e6}, LeftBehind: []compare.PathSize{{Path: "/opt", SizeBytes: 2e7, Stage: "builder"}}}
	measured := 0
	m.opts.Stages = func(context.Context) (*compare.StageReport, error) { measured++; return rep, nil }
	feed(m, events)
	b := m.folder.Build()
	b.ID, b.Status = "abc", model.StatusOK
	_, cmd := m.Update(DoneMsg{Build: b})
	for _, msg := range drain(cmd) {
		m.Update(msg)
	}
	if m.why == nil {
		t.Fatal("the build was not explained when it finished")
	}
	if s := screen(m); !strings.Contains(s, "new    ") {
		t.Errorf("missed steps lack their reason tag:\n%s", s)
	}
	m.Update(press("c"))
	if s := screen(m); !strings.Contains(s, "first-build") || !strings.Contains(s, "Cache of build abc") {
		t.Errorf("cache view:\n%s", s)
	}
	m.Update(press("j"))
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.view != viewBuild {
		t.Error("esc did not go back")
	}
	_, cmd = m.Update(press("s"))
	if s := screen(m); !strings.Contains(s, "measuring") {
		t.Errorf("stages view while measuring:\n%s", s)
	}
	for _, msg := range drain(cmd) {
		m.Update(msg)
	}
	s := screen(m)
	for _, want := range []string{"builder", "production", "final", "/opt", "20MB"} {
		if !strings.Contains(s, want) {
			t.Errorf("stages view lacks %q:\n%s", want, s)
		}
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	m.Update(press("s"))
	if measured != 1 {
		t.Errorf("stages measured %d times, want once", measured)
	}
}

// drain runs a command and the batches it returns, collecting messages.
func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, drain(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// d runs the image's command (through the injected differ) and shows the
// changes as a tree: the seeds' case of a release writing two files.
func TestDiffViewAfterBuild(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, time.Second)
	changes, err := cdiff.ParseDockerDiff("C /tmp\nA /tmp/sys.config\nA /tmp/vm.args\n")
	if err != nil {
		t.Fatal(err)
	}
	runs := 0
	m.opts.Diff = func(context.Context, *model.Build) ([]cdiff.Change, error) { runs++; return changes, nil }
	feed(m, events)
	b := m.folder.Build()
	b.ID, b.Status, b.Result = "abc", model.StatusOK, &model.ResultRef{Kind: model.ResultOCILayout}
	m.Update(DoneMsg{Build: b})
	_, cmd := m.Update(press("d"))
	for _, msg := range drain(cmd) {
		m.Update(msg)
	}
	s := screen(m)
	for _, want := range []string{"2 added, 1 changed, 0 deleted", "C ", "tmp", "A ", "  sys.config", "  vm.args"} {
		if !strings.Contains(s, want) {
			t.Errorf("diff view lacks %q:\n%s", want, s)
		}
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	m.Update(press("d"))
	if runs != 1 {
		t.Errorf("the image ran %d times, want once", runs)
	}
}

// i opens the built image in the inspector; esc comes back.
func TestInspectorFromBuild(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	m := newTestModel(t, events, plan, df, 100, 30, time.Second)
	opened := ""
	m.opts.Inspect = func(_ context.Context, id string) (*Inspection, error) {
		opened = id
		return nil, errors.New("no such image in this test")
	}
	feed(m, events)
	b := m.folder.Build()
	b.ID, b.Status, b.Result = "abc", model.StatusOK, &model.ResultRef{Kind: model.ResultOCILayout}
	m.Update(DoneMsg{Build: b})
	_, cmd := m.Update(press("i"))
	for _, msg := range drain(cmd) {
		m.Update(msg)
	}
	if opened != "abc" || m.view != viewInspect || !strings.Contains(screen(m), "cannot open the image: no such image") {
		t.Errorf("opened %q view %v:\n%s", opened, m.view, screen(m))
	}
	m.Update(tea.KeyPressMsg{Code: tea.KeyEscape})
	if m.view != viewBuild {
		t.Errorf("esc from the inspector went to view %v", m.view)
	}
}

// history show replays a recorded build: the record's steps, the logs from
// its recorded events, the failing step selected.
func TestReplayRecordedBuild(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/fail.jsonl", "../../testdata/fail/Dockerfile")
	rec := &model.Build{ID: "f00", Status: model.StatusError, Error: "exit code: 3"}
	f := fold.New(rec, plan)
	for _, e := range events {
		f.Add(e)
	}
	f.Build()
	rec.Started, rec.Completed = firstStart(events), firstStart(events).Add(time.Second)
	m := New(Options{Title: "replay", Dockerfile: df, Replay: rec})
	m.Update(teaSize(100, 30))
	m.LoadLogs(events)
	s := screen(m)
	for _, want := range []string{"✗ failed", "builder failed", "4 ▶ RUN echo", "error: missing semicolon"} {
		if !strings.Contains(s, want) {
			t.Errorf("replay lacks %q:\n%s", want, s)
		}
	}
	if _, cmd := m.Update(press("q")); cmd == nil {
		t.Error("q does not quit a replay")
	}
}

// The work a view started (measuring stages) is cancelled when the
// program ends and the model is closed.
func TestCloseStopsTheViewsWork(t *testing.T) {
	m := finishedEngineBuild(t)
	m.opts.Stages = func(ctx context.Context) (*compare.StageReport, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	_, cmd := m.Update(press("s"))
	if cmd == nil {
		t.Fatal("s started no command")
	}
	got := make(chan []tea.Msg)
	go func() { got <- drain(cmd) }()
	m.Close()
	msgs := <-got
	if len(msgs) != 1 {
		t.Fatalf("messages %v", msgs)
	}
	if sm, ok := msgs[0].(stagesMsg); !ok || !errors.Is(sm.err, context.Canceled) {
		t.Errorf("measuring went on after Close: %#v", msgs[0])
	}
}
