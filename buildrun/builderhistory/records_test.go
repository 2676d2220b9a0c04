package builderhistory

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model"
)

// The builder's records count steps as buildscope's records do, when
// buildscope holds one: its own build (ref "buildscope-ID") or an
// imported one (ID the ref); else they show BuildKit's vertices, marked
// so, and the table says what a vertex count is.
func TestFillStepsTakesTheHeldRecordsCounts(t *testing.T) {
	own := &model.Build{ID: "0524017c190f", Cache: model.CacheSummary{StepsTotal: 10, StepsCached: 4}}
	imported := &model.Build{ID: "jukggtdaajplng1ld5e04fzif", Cache: model.CacheSummary{StepsTotal: 3}}
	recs := []Record{
		{Ref: "buildscope-0524017c190f", By: "buildscope", Status: "ok", VerticesCached: 5, VerticesTotal: 15},
		{Ref: "jukggtdaajplng1ld5e04fzif", By: "other", Status: "ok", VerticesCached: 0, VerticesTotal: 6},
		{Ref: "qk2other", By: "other", Status: "ok", VerticesCached: 1, VerticesTotal: 8},
	}
	FillSteps(recs, []*model.Build{own, imported})
	want := []string{"4/10", "0/3", "1/8 vtx"}
	for i, r := range recs {
		if got := r.CachedText(); got != want[i] {
			t.Errorf("%s: CACHED %q, want %q", r.Ref, got, want[i])
		}
	}
	if recs[0].VerticesTotal != 15 {
		t.Errorf("BuildKit's own count was lost: %+v", recs[0])
	}
	tab := Table(recs)
	if !strings.Contains(tab, "1/8 vtx") || !strings.Contains(tab, VerticesNote) {
		t.Errorf("table:\n%s", tab)
	}
	if tab := Table(recs[:2]); strings.Contains(tab, "vtx") {
		t.Errorf("no record shows vertices, yet the table explains them:\n%s", tab)
	}
}
