package buildui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
)

// The whole program: Init arms the status stream, every update re-arms
// it, the build's end shows the summary, and q quits.
func TestProgramRunsRecordedBuild(t *testing.T) {
	events, plan, df := recorded(t, "../../testdata/multistage-cold.jsonl", "../../testdata/multistage.Dockerfile")
	ch := make(chan *client.SolveStatus)
	m := New(Options{Title: "multistage", Plan: plan, Dockerfile: df, Events: ch})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	// the record buildrun would return, folded on the side
	rec := &model.Build{}
	f := fold.New(rec, plan)
	for _, e := range events {
		f.Add(e)
	}
	f.Build()
	rec.Status = model.StatusOK
	sent := make(chan struct{})
	go func() {
		for _, e := range events {
			ch <- e
		}
		close(ch)
		close(sent)
	}()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("production")) },
		teatest.WithDuration(10*time.Second))
	<-sent
	tm.Send(DoneMsg{Build: rec})
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("done in")) },
		teatest.WithDuration(10*time.Second))
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(*Model)
	if got := fm.Build().Cache; got.StepsTotal != 10 || got.StepsCached != 2 {
		t.Errorf("final model cache %+v", got)
	}
}
