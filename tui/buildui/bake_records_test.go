package buildui

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
	"github.com/buildscope/buildscope/model/modeltest"
	"github.com/buildscope/buildscope/model/why"
)

// A bake's step lines read as a single build's once it is over: each
// step's size and cache mount from its target's record, and why it ran
// (new, on a first bake). Recorded from a real first bake of the
// example's api and worker on the embedded builder (testdata/bake: each
// target's record and status stream, fed to the UI as the bake does,
// a shared vertex once).
func TestBakeStepLinesHaveSizesAndReasons(t *testing.T) {
	plan, df := bakeExamplePlan(t)
	var recs []*model.Build
	for _, n := range []string{"api", "worker"} {
		var b model.Build
		modeltest.LoadJSON(t, filepath.Join("testdata", "bake", n+".json"), &b)
		recs = append(recs, &b)
	}
	explained := 0
	m := New(Options{Title: "bake", Builder: "embedded", Plan: plan, Dockerfile: df, Now: time.Now,
		Targets: []BakeTarget{{Name: "api", Stage: "api"}, {Name: "worker", Stage: "worker"}},
		BakeEnd: func(b *model.Build) { fold.FillBake(b, recs) },
		Why: func(*model.Build) (*why.Explanation, error) {
			return why.Merge(recs, func(b *model.Build) (*why.Explanation, error) {
				explained++
				return why.Explain(b, nil), nil // the first bake: no previous build
			})
		}})
	m.Update(teaSize(160, 40))
	dedup := fold.NewStatusDedup()
	for _, n := range []string{"api", "worker"} {
		for _, s := range modeltest.LoadEvents(t, filepath.Join("testdata", "bake", n+".events.jsonl")) {
			if s = dedup.Filter(s); s != nil {
				m.Update(StatusMsg{s})
			}
		}
	}
	_, cmd := m.Update(DoneMsg{})
	if cmd == nil {
		t.Fatal("the bake's end asks for no explanation of its steps")
	}
	for _, msg := range drain(cmd) {
		m.Update(msg)
	}
	if explained != 2 {
		t.Errorf("explained %d records, want each target's", explained)
	}
	stage := func(name string) string {
		t.Helper()
		for i, s := range m.build.Stages {
			if s.Name == name {
				m.selNode, m.selStep = i, 0
				return screen(m)
			}
		}
		t.Fatalf("no stage %s in %d stages", name, len(m.build.Stages))
		return ""
	}
	for _, tc := range []struct{ stage, instruction, size string }{
		{"base", "RUN mkdir -p /opt/runtime/lib", "3MB"},
		{"api", "[cache pip empty 1.71MB] RUN --mount=type=cache,id=pip", "1.7MB"},
		{"api", "RUN echo", "6B"},
		{"worker", "COPY worker/work.sh ./", "32B"},
	} {
		// ✓ new 1.8s 3MB L10  RUN …: the mark, the duration, the size
		re := regexp.MustCompile(`✓ new +\S+ +` + regexp.QuoteMeta(tc.size) + ` L\d+ +` + regexp.QuoteMeta(tc.instruction))
		if scr := stage(tc.stage); !re.MatchString(scr) {
			t.Errorf("stage %s: no step line `new … %s … %s`:\n%s", tc.stage, tc.size, tc.instruction, scr)
		}
	}
}
