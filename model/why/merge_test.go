package why

import (
	"errors"
	"testing"

	"github.com/buildscope/buildscope/model"
)

// A bake's targets share their base stage: its steps are in both
// targets' explanations and listed once in the merged one; an error
// explaining any target is the merge's.
func TestMergeListsASharedStepOnce(t *testing.T) {
	prev, cur := loadPair(t, "context")
	a, b := *cur, *cur
	b.ID = "other-target"
	ex, err := Merge([]*model.Build{&a, &b}, func(r *model.Build) (*Explanation, error) { return Explain(r, prev), nil })
	if err != nil {
		t.Fatal(err)
	}
	if one := Explain(cur, prev); len(ex.Misses) != len(one.Misses) || ex.Source != one.Source {
		t.Errorf("merged %d misses (%s), one target has %d (%s)", len(ex.Misses), ex.Source, len(one.Misses), one.Source)
	}
	boom := errors.New("boom")
	if _, err := Merge([]*model.Build{&a}, func(*model.Build) (*Explanation, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("error %v, want the explainer's", err)
	}
}
