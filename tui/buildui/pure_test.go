package buildui

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/trace"
	"github.com/buildscope/buildscope/model/why"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// recordedChanges is what the Docker engine said the recorded container
// changed.
func recordedChanges(t testing.TB) []cdiff.Change {
	t.Helper()
	b, err := os.ReadFile("../../testdata/cdiff/scenario/docker-diff.txt")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := cdiff.ParseDockerDiff(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// pure checks Render at the model's size, after a resize, and with every
// key's help shown: each time two frames are the same and drawing leaves
// the model as it was.
func pure(t *testing.T, name string, m *Model) {
	t.Helper()
	tuitest.Pure(t, name, m, m.Render)
	m.Update(teaSize(61, 19))
	tuitest.Pure(t, name+" after a resize", m, m.Render)
	m.Update(press("?"))
	tuitest.Pure(t, name+" with help", m, m.Render)
	m.Update(press("?"))
	m.Update(teaSize(140, 40))
	tuitest.Pure(t, name+" after a second resize", m, m.Render)
}

// Render only draws, on every screen of the build UI: the live graph, a
// failure, the timeline while the build runs and after, the finished
// build's views (cache, stages, diff, the inspector) and a replay.
func TestRenderIsPure(t *testing.T) {
	t.Run("live", func(t *testing.T) {
		events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
		m := newTestModel(t, events, plan, df, 100, 30, 350*time.Millisecond)
		feed(m, events[:len(events)/2])
		pure(t, "live build", m)
		m.Update(press("t"))
		pure(t, "live timeline", m)
		feed(m, events[len(events)/2:])
		pure(t, "live timeline, more events", m)
	})
	t.Run("failed", func(t *testing.T) {
		events, plan, df := recorded(t, "../../testdata/fail.jsonl", "../../testdata/fail/Dockerfile")
		m := newTestModel(t, events, plan, df, 100, 30, time.Second)
		feed(m, events)
		done(m, model.StatusError, "process did not complete successfully: exit code: 3")
		pure(t, "failed build", m)
		m.Update(press("tab"))
		m.Update(press("tab"))
		m.Update(press("/"))
		for _, k := range tuitest.Keys("e", "r", "r", "enter") {
			m.Update(k)
		}
		pure(t, "failed build, logs searched", m)
	})
	t.Run("finished", func(t *testing.T) {
		events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
		m := newTestModel(t, events, plan, df, 100, 30, time.Second)
		img := tuitest.ScenarioImage(t, "../..")
		m.opts.Why = func(b *model.Build) (*why.Explanation, error) { return why.Explain(b, nil), nil }
		m.opts.Stages = func(context.Context) (*compare.StageReport, error) {
			return &compare.StageReport{Stages: []compare.StageSize{{Name: "builder", SizeBytes: 28e6, CompressedBytes: 27e6, Layers: 7},
				{Name: "production", SizeBytes: 2e6, CompressedBytes: 1e6, Layers: 4, Final: true}},
				Final: compare.FinalSize{Name: "production", SizeBytes: 2e6}, LeftBehind: []compare.PathSize{{Path: "/opt", SizeBytes: 2e7, Stage: "builder"}}}, nil
		}
		m.opts.Diff = func(context.Context, *model.Build) ([]cdiff.Change, error) { return recordedChanges(t), nil }
		m.opts.Inspect = func(_ context.Context, id string) (*Inspection, error) {
			infos, err := layers.Describe(img)
			return &Inspection{Title: "build:" + id, Infos: infos, Image: img}, err
		}
		defer m.Close()
		feed(m, events)
		b := m.folder.Build()
		b.ID, b.Status, b.Result = "abc", model.StatusOK, &model.ResultRef{Kind: model.ResultOCILayout}
		_, cmd := m.Update(DoneMsg{Build: b})
		run(m, cmd)
		pure(t, "finished build", m)
		for _, v := range []struct{ key, name string }{{"c", "cache"}, {"s", "stages"}, {"d", "diff"}, {"t", "timeline"}} {
			_, cmd := m.Update(press(v.key))
			pure(t, v.name+" view, waiting", m)
			run(m, cmd)
			pure(t, v.name+" view", m)
			m.Update(press("j"))
			pure(t, v.name+" view, moved", m)
			m.Update(press("esc"))
		}
		_, cmd = m.Update(press("i"))
		pure(t, "inspector, opening", m)
		run(m, cmd)
		if m.lv == nil || m.lv.Analysis() == nil {
			t.Fatalf("the inspector did not open the recorded image:\n%s", screen(m))
		}
		pure(t, "inspector", m)
		m.Update(press("tab"))
		m.Update(press("enter"))
		pure(t, "inspector, tree opened", m)
	})
	t.Run("replay", func(t *testing.T) {
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
		pure(t, "replay", m)
		m.Update(press("t"))
		pure(t, "replay timeline", m)
	})
}

// counted is a model whose timeline layouts (trace.New, critical
// path included) are counted.
func counted(m *Model) *int {
	n := new(int)
	m.newTimeline = func(id string, events []*client.SolveStatus, b *model.Build) *trace.Timeline {
		*n++
		return trace.New(id, events, b)
	}
	return n
}

// The timeline of a live build is laid out in Update, once per batch of
// status events the stream delivers and never per frame: frames and clock
// ticks between batches lay nothing out, nor does a build shown without
// its timeline. The batches draw what one event at a time draws.
func TestTimelineOncePerBatch(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/graph-cold.jsonl", "../../testdata/graph/Dockerfile")
	ch := make(chan *client.SolveStatus, len(events))
	now := firstStart(events).Add(2 * time.Second)
	m := New(Options{Title: "assets/example", Builder: "embedded", Plan: plan, Dockerfile: df, Events: ch, Now: func() time.Time { return now }})
	layouts := counted(m)
	m.Update(teaSize(100, 30))

	// the graph, not the timeline: events lay nothing out
	third := len(events) / 3
	for _, e := range events[:third] {
		ch <- e
	}
	deliver := func(want int) {
		t.Helper()
		msg := WaitForStatus(ch)()
		if b, ok := msg.(statusBatchMsg); !ok || len(b) != want {
			t.Fatalf("the stream delivered %T of %d, want a batch of %d", msg, len(msg.(statusBatchMsg)), want)
		}
		m.Update(msg)
	}
	deliver(third)
	_ = m.Render()
	if *layouts != 0 {
		t.Fatalf("%d timeline layouts with the graph shown", *layouts)
	}
	m.Update(press("t"))
	if *layouts != 1 {
		t.Fatalf("t laid the timeline out %d times, want once", *layouts)
	}
	for _, burst := range [][]*client.SolveStatus{events[third : 2*third], events[2*third:]} {
		before := *layouts
		for _, e := range burst {
			ch <- e
		}
		deliver(len(burst))
		if *layouts != before+1 {
			t.Errorf("a batch of %d events laid the timeline out %d times, want once", len(burst), *layouts-before)
		}
		for i := 0; i < 5; i++ { // frames and ticks until the next batch
			_ = m.Render()
			m.Update(tickMsg(now))
			_ = m.View()
		}
		if *layouts != before+1 {
			t.Errorf("frames between batches laid the timeline out %d more times", *layouts-before-1)
		}
	}

	// one event at a time draws the same timeline
	ref := newTestModel(t, events, plan, df, 100, 30, 2*time.Second)
	refLayouts := counted(ref)
	ref.Update(press("t"))
	feed(ref, events)
	if got, want := screen(m), screen(ref); got != want {
		t.Errorf("batched timeline differs from one event at a time:\n%s", tuitest.FirstDiff(want, got))
	}
	if *refLayouts > len(events)+1 {
		t.Errorf("one event at a time laid out %d times for %d events", *refLayouts, len(events))
	}

	// the record that ends the build (buildrun's, not the UI's fold) is
	// laid out once, and named
	before := *layouts
	rec := *m.folder.Build()
	rec.ID, rec.Status = "0524017c190f", model.StatusOK
	m.Update(DoneMsg{Build: &rec})
	_ = m.Render()
	_ = m.Render()
	if *layouts != before+1 || !strings.Contains(screen(m), "Timeline of build 0524017c190f") {
		t.Errorf("the finished build laid out %d times, want once, named:\n%s", *layouts-before, screen(m))
	}
}

// A flood of waiting events is delivered in batches of at most maxBatch,
// and the end of the stream after the last of them.
func TestWaitForStatusBatchesAndEnds(t *testing.T) {
	ch := make(chan *client.SolveStatus, maxBatch+3)
	for i := 0; i < maxBatch+3; i++ {
		ch <- &client.SolveStatus{}
	}
	close(ch)
	var sizes []int
	for {
		msg := WaitForStatus(ch)()
		if _, end := msg.(streamEndMsg); end {
			break
		}
		sizes = append(sizes, len(msg.(statusBatchMsg)))
	}
	if len(sizes) != 2 || sizes[0] != maxBatch || sizes[1] != 3 {
		t.Errorf("batches %v, want [%d 3]", sizes, maxBatch)
	}
}
