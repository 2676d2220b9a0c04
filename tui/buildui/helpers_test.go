package buildui

import (
	"os"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/charmbracelet/x/ansi"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	modeldockerfile "github.com/buildscope/buildscope/model/dockerfile"
)

// recorded loads a SolveStatus stream recorded from a real build and the
// plan of its Dockerfile.
func recorded(t testing.TB, events, dockerfile string) ([]*client.SolveStatus, *modeldockerfile.Plan, []byte) {
	t.Helper()
	out := modeltest.LoadEvents(t, events)
	df, err := os.ReadFile(dockerfile)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := modeldockerfile.Parse(dockerfile, df, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out, plan, df
}

// firstStart is the earliest vertex start in a stream.
func firstStart(events []*client.SolveStatus) time.Time {
	var t0 time.Time
	for _, e := range events {
		for _, v := range e.Vertexes {
			if v.Started != nil && (t0.IsZero() || v.Started.Before(t0)) {
				t0 = *v.Started
			}
		}
	}
	return t0
}

// newTestModel is a model at a fixed size whose clock is fixed at
// offset after the recording's first start.
func newTestModel(t testing.TB, events []*client.SolveStatus, plan *modeldockerfile.Plan, df []byte, w, h int, offset time.Duration) *Model {
	now := firstStart(events).Add(offset)
	m := New(Options{Title: "assets/example", Builder: "embedded", Plan: plan, Dockerfile: df, Now: func() time.Time { return now }})
	m.Update(teaSize(w, h))
	return m
}

// feed sends events as StatusMsgs through Update.
func feed(m *Model, events []*client.SolveStatus) {
	for _, e := range events {
		m.Update(StatusMsg{e})
	}
}

// done ends the build as buildrun would: the folded record, finished.
func done(m *Model, status, errMsg string) {
	b := m.folder.Build() // with its cache summary, as buildrun returns it
	b.Status, b.Error = status, errMsg
	b.Started = m.started
	b.Completed = m.started.Add(1500 * time.Millisecond)
	if status == model.StatusOK {
		b.Image = &model.Image{SizeBytes: 1151234}
	}
	m.Update(DoneMsg{Build: b})
}

func screen(m *Model) string { return ansi.Strip(m.Render()) }
