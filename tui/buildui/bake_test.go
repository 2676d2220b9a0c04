package buildui

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// A bake of the example's api and worker: the base stage both build is
// one node with an edge to each target's stage, and each target has its
// node, which follows its stage's state.
func TestBakeGraphDrawsSharedStageOnce(t *testing.T) {
	plan, df := bakeExamplePlan(t)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0.Add(time.Second)
	m := New(Options{Title: "bake", Builder: "embedded", Plan: plan, Dockerfile: df, Now: func() time.Time { return now },
		Targets: []BakeTarget{{Name: "api", Stage: "api"}, {Name: "worker", Stage: "worker"}}})
	m.Update(teaSize(120, 30))
	at := func(d time.Duration) *time.Time { v := t0.Add(d); return &v }
	vertex := func(name string, done bool) *client.Vertex {
		v := &client.Vertex{Digest: digest.FromString(name), Name: name, Started: at(0)}
		if done {
			v.Completed = at(time.Second)
		}
		return v
	}
	// BuildKit reports a vertex the targets share to each target's solve
	base := []*client.Vertex{vertex("[base 2/3] RUN mkdir -p /opt/runtime/lib", true), vertex("[base 3/3] WORKDIR /app", true)}
	for range 2 {
		m.Update(StatusMsg{&client.SolveStatus{Vertexes: base}})
	}
	m.Update(StatusMsg{&client.SolveStatus{Vertexes: []*client.Vertex{vertex("[worker 1/1] COPY worker/work.sh ./", true), vertex("[api 1/4] COPY api/requirements.txt ./", false)}}})
	var ids []string
	for _, n := range m.nodes {
		ids = append(ids, strings.TrimPrefix(n.ID, "\x00target:"))
	}
	if got := strings.Join(ids, ","); got != "base,api,worker,api,worker" {
		t.Fatalf("graph nodes %q: want the stages base, api, worker once, then the targets", got)
	}
	if n := len(m.build.Stages[0].Steps); n != 2 {
		t.Errorf("base stage has %d steps, want 2 (the shared vertices once)", n)
	}
	scr := screen(m)
	if strings.Count(scr, " base ") != 1 || !strings.Contains(scr, "target api") || !strings.Contains(scr, "target worker") {
		t.Errorf("screen:\n%s", scr)
	}
	if st, _ := m.targetLabel(1); st != stDone {
		t.Errorf("worker's stage is done, its target shows %v", st)
	}
	if st, _ := m.targetLabel(0); st != stRunning {
		t.Errorf("api's stage runs, its target shows %v", st)
	}
	// the records are the targets'; the UI ends on its own fold
	m.Update(DoneMsg{})
	if m.build.Status != model.StatusOK || len(m.build.Stages) != 3 || !strings.Contains(screen(m), "done") {
		t.Errorf("after the bake: status %q, %d stages\n%s", m.build.Status, len(m.build.Stages), screen(m))
	}
	if st, _ := m.targetLabel(0); st != stDone {
		t.Errorf("after the bake, api's target shows %v", st)
	}
}

// bakeExamplePlan is the plan of the bake example's Dockerfile, and the
// Dockerfile.
func bakeExamplePlan(t *testing.T) (*dockerfile.Plan, []byte) {
	t.Helper()
	df, err := os.ReadFile("../../assets/examples/bake/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := dockerfile.ParseFor("Dockerfile", df, nil, dockerfile.AutoArgs{})
	if err != nil {
		t.Fatal(err)
	}
	return plan, df
}
