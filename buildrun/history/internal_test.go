package history

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

// TestInternalBuildsAreNotTheUsers: a build buildscope ran on the user's
// behalf (a stage measured as a target) is kept and opens by its ID, but
// is not build:last, not listed, and not why's previous build of a later
// build with the same context, Dockerfile and target.
func TestInternalBuildsAreNotTheUsers(t *testing.T) {
	h := History{Dir: filepath.Join(t.TempDir(), "history")}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(id string, min int, internal string) *model.Build {
		return &model.Build{ID: id, Context: "/ctx", Dockerfile: "/ctx/Dockerfile", Status: model.StatusOK, Started: t0.Add(time.Duration(min) * time.Minute), Internal: internal}
	}
	for _, b := range []*model.Build{mk("user00000001", 0, ""), mk("stage0000002", 1, model.InternalStageSize), mk("user00000003", 2, ""), mk("stage0000004", 3, model.InternalStageSize)} {
		if err := h.Save(b); err != nil {
			t.Fatal(err)
		}
	}
	if last, err := h.Get("last"); err != nil || last.ID != "user00000003" {
		t.Errorf("build:last is %v (%v), want the user's user00000003", last, err)
	}
	if b, err := h.Get("stage0000004"); err != nil || b.Internal != model.InternalStageSize {
		t.Errorf("the internal build does not open by its ID: %v %v", b, err)
	}
	own, err := h.List()
	if err != nil || len(own) != 2 || own[0].ID != "user00000001" || own[1].ID != "user00000003" {
		t.Errorf("List = %v (%v), want the two user builds", ids(own), err)
	}
	internal, err := h.Internal()
	if err != nil || len(internal) != 2 {
		t.Errorf("Internal = %v (%v), want the two stage builds", ids(internal), err)
	}
	ex, err := h.Explain(mk("user00000005", 4, ""))
	if err != nil || ex.Previous != "user00000001" && ex.Previous != "user00000003" {
		t.Fatalf("why's previous is %q (%v), want a user build", ex.Previous, err)
	}
	if ex.Previous != "user00000003" {
		t.Errorf("why's previous is %s, want the latest user build user00000003", ex.Previous)
	}
}
