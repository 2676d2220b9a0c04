package model

import (
	"reflect"
	"testing"
	"time"
)

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
