package buildui

import (
	"context"
	"os"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/dockerfile"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// uiState is one state of the build UI the tests go through: a name and
// how to make a fresh model in it at a size.
type uiState struct {
	name string
	make func(t testing.TB, w, h int) *Model
}

// services are the build UI's views' functions as the live build UI has
// them (launch.BuildUI), answering at once from recorded data.
func services(t testing.TB, o *Options) {
	o.Why = func(b *model.Build) (*why.Explanation, error) { return why.Explain(b, nil), nil }
	o.Stages = func(context.Context) (*compare.StageReport, error) {
		return &compare.StageReport{Stages: []compare.StageSize{{Name: "builder", SizeBytes: 28e6, Layers: 7},
			{Name: "production", SizeBytes: 2e6, Layers: 4, Final: true}}, Final: compare.FinalSize{Name: "production", SizeBytes: 2e6}}, nil
	}
	changes, err := cdiff.ParseDockerDiff("C /tmp\nA /tmp/sys.config\nA /tmp/vm.args\n")
	if err != nil {
		t.Fatal(err)
	}
	o.Diff = func(context.Context, *model.Build) ([]cdiff.Change, error) { return changes, nil }
	if tt, ok := t.(*testing.T); ok {
		eng := newFakeEngine(tt)
		eng.img = tuitest.ScenarioImage(t, "../..") // recorded, so the screens are the same every run
		o.Inspect = eng.open
	}
}

// settleAll runs cmd as the program would (every message through Update,
// the commands it returns in turn), at most n messages, dropping the
// clock's ticks; quit says a tea.QuitMsg came.
func settleAll(m *Model, cmd tea.Cmd, n int) (quit bool) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 && n > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := runBounded(c)
		switch msg := msg.(type) {
		case nil, tickMsg, tea.BackgroundColorMsg:
		case tea.QuitMsg:
			quit = true
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			n--
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
	return quit
}

// runBounded runs a command, giving up on it (nil) after a second: a
// tick, or a wait on a stream the test does not feed.
func runBounded(c tea.Cmd) tea.Msg {
	ch := make(chan tea.Msg, 1)
	go func() { ch <- c() }()
	select {
	case msg := <-ch:
		return msg
	case <-time.After(time.Second):
		return nil
	}
}

// finishBuild ends a fed build with its folded record as buildrun
// returns it.
func finishBuild(m *Model, status, errMsg string, result bool) {
	b := m.folder.Build()
	b.ID, b.Status, b.Error = "abc123def456", status, errMsg
	b.Started, b.Completed = m.started, m.started.Add(1500*time.Millisecond)
	if result {
		b.Result = &model.ResultRef{Kind: model.ResultDocker, Ref: "example:latest"}
		b.Image = &model.Image{SizeBytes: 1151234}
	}
	settleAll(m, m.update(DoneMsg{Build: b}), 20)
	m.settle()
}

// record is a finished build's record as history keeps it.
func record(t testing.TB, events []*client.SolveStatus, plan *dockerfile.Plan, status string) *model.Build {
	rec := &model.Build{ID: "abc123def456", Status: status, Context: "/home/user/src/example", Builder: "embedded"}
	f := fold.New(rec, plan)
	for _, e := range events {
		f.Add(e)
	}
	f.Build()
	rec.Started, rec.Completed = firstStart(events), firstStart(events).Add(time.Second)
	if status == model.StatusOK {
		rec.Result = &model.ResultRef{Kind: model.ResultDocker, Ref: "example:latest"}
		rec.Image = &model.Image{SizeBytes: 1151234}
	} else {
		rec.Error = `process "/bin/sh -c echo \"error: missing semicolon\" >&2 && exit 3" did not complete successfully: exit code: 3`
	}
	return rec
}

// uiStates are the states of the build UI: a build running, one
// followed by attach, finished, failed, failed with its failed step held
// for a shell, a missing base image, replays of
// buildscope's record and of another client's, and a finished bake.
func uiStates() []uiState {
	multi := func(t testing.TB) ([]*client.SolveStatus, *dockerfile.Plan, []byte) {
		return recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	}
	fail := func(t testing.TB) ([]*client.SolveStatus, *dockerfile.Plan, []byte) {
		return recorded(t, "../../testdata/fail.jsonl", "../../testdata/fail/Dockerfile")
	}
	live := func(attached bool) func(t testing.TB, w, h int) *Model {
		return func(t testing.TB, w, h int) *Model {
			events, plan, df := multi(t)
			m := newTestModel(t, events, plan, df, w, h, 350*time.Millisecond)
			services(t, &m.opts)
			m.opts.Cancel, m.opts.Attached = func() {}, attached
			feed(m, events[:len(events)/2])
			return m
		}
	}
	replay := func(foreign bool) func(t testing.TB, w, h int) *Model {
		return func(t testing.TB, w, h int) *Model {
			events, plan, df := multi(t)
			rec := record(t, events, plan, model.StatusOK)
			o := Options{Title: rec.Context, Builder: "embedded", Replay: rec, Dockerfile: df, Now: func() time.Time { return rec.Completed }}
			services(t, &o)
			if foreign { // as launch.Replay opens another client's build
				rec.Origin = &model.Origin{By: "buildx"}
				o.Title, o.Stages, o.Diff, o.Inspect = "build "+rec.ID+" (buildx)", nil, nil, nil
			}
			m := New(o)
			m.Update(teaSize(w, h))
			m.LoadLogs(events)
			settleAll(m, m.Init(), 20)
			return m
		}
	}
	return []uiState{
		{"live", live(false)},
		{"attached", live(true)},
		{"done", func(t testing.TB, w, h int) *Model {
			events, plan, df := multi(t)
			m := newTestModel(t, events, plan, df, w, h, 2*time.Second)
			services(t, &m.opts)
			feed(m, events)
			finishBuild(m, model.StatusOK, "", true)
			return m
		}},
		{"failed", func(t testing.TB, w, h int) *Model {
			events, plan, df := fail(t)
			m := newTestModel(t, events, plan, df, w, h, time.Second)
			services(t, &m.opts)
			feed(m, events)
			finishBuild(m, model.StatusError, `process "/bin/sh -c echo \"error: missing semicolon\" >&2 && exit 3" did not complete successfully: exit code: 3`, false)
			return m
		}},
		{"nobase", func(t testing.TB, w, h int) *Model {
			df := []byte("FROM 127.0.0.1:5015/x/nosuch\nRUN true\n")
			plan, err := dockerfile.Parse("Dockerfile", df, nil)
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := t0.Add(time.Second)
			m := New(Options{Title: "/tmp/nobase", Builder: "embedded", Plan: plan, Dockerfile: df, Now: func() time.Time { return now }})
			services(t, &m.opts)
			m.Update(teaSize(w, h))
			end := t0.Add(91 * time.Millisecond)
			msg := "127.0.0.1:5015/x/nosuch:latest: failed to resolve source metadata for 127.0.0.1:5015/x/nosuch:latest: " +
				"unexpected status from HEAD request to http://127.0.0.1:5015/v2/x/nosuch/manifests/latest: 404 Not Found"
			m.Update(StatusMsg{&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString("meta"),
				Name: "[internal] load metadata for 127.0.0.1:5015/x/nosuch:latest", Started: &t0, Completed: &end, Error: msg}}}})
			finishBuild(m, model.StatusError, msg, false)
			return m
		}},
		{"held", func(t testing.TB, w, h int) *Model { m, _ := heldModel(t, w, h); return m }},
		{"held-edited", func(t testing.TB, w, h int) *Model { // e's re-run shown: w offered
			m, _ := heldModel(t, w, h)
			m.Update(failedstep.EditMsg{Outcome: &debug.Outcome{Line: 4, Text: "RUN sh -c 'echo RERAN && exit 0'", Passed: true, ExitCode: -1,
				Ran: 1, Reused: 2, Log: []byte("RERAN\n")}})
			m.note = ""
			return m
		}},
		{"replay", replay(false)},
		{"foreign", replay(true)},
		{"bake", func(t testing.TB, w, h int) *Model {
			df, err := os.ReadFile("../../assets/examples/bake/Dockerfile")
			if err != nil {
				t.Fatal(err)
			}
			plan, err := dockerfile.ParseFor("Dockerfile", df, nil, dockerfile.AutoArgs{})
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := t0.Add(2 * time.Second)
			m := New(Options{Title: "/home/user/src/bake", Builder: "embedded", Plan: plan, Dockerfile: df, Now: func() time.Time { return now },
				Targets: []BakeTarget{{Name: "api", Stage: "api"}, {Name: "worker", Stage: "worker"}}})
			m.Update(teaSize(w, h))
			at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
			var vs []*client.Vertex
			for i, name := range []string{"[base 2/3] RUN mkdir -p /opt/runtime/lib", "[base 3/3] WORKDIR /app", "[worker 1/1] COPY worker/work.sh ./", "[api 1/4] COPY api/requirements.txt ./"} {
				vs = append(vs, &client.Vertex{Digest: digest.FromString(name), Name: name, Started: at(time.Duration(i) * 100 * time.Millisecond), Completed: at(time.Second)})
			}
			m.Update(StatusMsg{&client.SolveStatus{Vertexes: vs}})
			settleAll(m, m.update(DoneMsg{Err: nil}), 20)
			m.settle()
			return m
		}},
	}
}
