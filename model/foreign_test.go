package model

import (
	"os"
	"reflect"
	"testing"
	"time"
)

// A foreign record with its Dockerfile folds exactly as buildscope's own
// build of it: same stages and lines, and a COPY from the context keeps
// the paths it selects (the builder keeps no per-file digests).
func TestFoldForeignMapsLikeAnOwnBuild(t *testing.T) {
	df, err := os.ReadFile("../testdata/multistage.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	events := loadEvents(t, "../testdata/multistage-cold.jsonl")
	own := fold(t, loadPlan(t, "../testdata/multistage.Dockerfile", nil), events)
	b := FoldForeign(&Build{ID: "ref"}, ForeignInput{Events: events, Dockerfile: df, DockerfileName: "Dockerfile"})
	if got, want := stepSummary(b), stepSummary(own); !reflect.DeepEqual(got, want) {
		t.Errorf("foreign fold\n got %v\nwant %v", got, want)
	}
	var copySrc []string
	for _, st := range b.Stages[0].Steps {
		if st.Line == 17 && st.Inputs != nil {
			copySrc = st.Inputs.Selected
		}
	}
	if !reflect.DeepEqual(copySrc, []string{"src/"}) {
		t.Errorf("COPY src/ selects %v", copySrc)
	}
	// without a Dockerfile: the stages BuildKit names, no inputs
	bare := FoldForeign(&Build{ID: "ref"}, ForeignInput{Events: events})
	if len(bare.Stages) != 2 || bare.Stages[0].Steps[0].Inputs != nil || bare.Stages[0].Steps[0].Line != 0 {
		t.Errorf("without a Dockerfile: %+v", bare.Stages)
	}
}

// The history list: running builds first, then newest first; a builder
// record of a build buildscope recorded itself is left out.
func TestMergeHistory(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	own := []*Build{{ID: "aaa", Status: StatusOK, Started: t0}, {ID: "imp", Status: StatusOK, Started: t0.Add(3 * time.Second), Origin: &Origin{By: "other"}}}
	theirs := []HistoryRow{{ID: "buildscope-aaa", By: "buildscope", Status: StatusOK, Started: t0},
		{ID: "imp", By: "other", Status: StatusOK, Started: t0.Add(3 * time.Second)},
		{ID: "run", By: "other", Status: StatusRunning, Started: t0.Add(-time.Hour)},
		{ID: "ctl", By: "other", Status: StatusError, Started: t0.Add(time.Second)}}
	var got []string
	for _, r := range MergeHistory(own, theirs) {
		got = append(got, r.ID+" "+r.From+" "+r.By)
	}
	want := []string{"run builder other", "imp buildscope other", "ctl builder other", "aaa buildscope buildscope"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("merged\n got %v\nwant %v", got, want)
	}
}
