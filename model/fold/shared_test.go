package fold

import (
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"
)

// On a builder shared with another build that ran at the same moment
// (the Docker engine under the parallel tests), BuildKit names a vertex
// both builds have as the other build named it: "[deps 2/4] WORKDIR /app"
// was this multistage build's "[production 2/4] WORKDIR /app" (the
// recorded cold build, with that name as the engine reported it). It is
// filed under production, not under a stage "deps" the Dockerfile lacks.
func TestSharedVertexNamedByAnotherBuild(t *testing.T) {
	events := modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl")
	renamed := 0
	for _, e := range events {
		for _, v := range e.Vertexes {
			if v.Name == "[production 2/4] WORKDIR /app" {
				v.Name = "[deps 2/4] WORKDIR /app"
				renamed++
			}
		}
	}
	if renamed == 0 {
		t.Fatal("the recorded build has no production WORKDIR vertex")
	}
	b := foldEvents(t, modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil), events)
	for _, s := range b.Stages {
		if s.Index < 0 {
			t.Errorf("stage %q (index -1) in the record: %+v", s.Name, s.Steps)
		}
		if s.Name == "production" && (len(s.Steps) == 0 || s.Steps[0].Instruction != "WORKDIR /app" || s.Steps[0].Line != 24) {
			t.Errorf("production's steps (its FROM is builder's, the first with that base): %+v", s.Steps)
		}
	}
	if len(b.Warnings) != 0 {
		t.Errorf("warnings: %+v", b.Warnings)
	}
}
