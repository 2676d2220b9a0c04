package buildrun

import (
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

// The retention keeps the newest N and those within the age; a record
// either rejects goes.
func TestRetentionGoes(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	var builds []*model.Build
	for i, age := range []time.Duration{90, 40, 20, 10, 1} { // days, oldest first
		builds = append(builds, &model.Build{ID: string(rune('a' + i)), Started: now.Add(-age * 24 * time.Hour)})
	}
	ids := func(bs []*model.Build) (s string) {
		for _, b := range bs {
			s += b.ID
		}
		return s
	}
	for _, tc := range []struct {
		r    Retention
		want string
	}{
		{Retention{Keep: 2}, "abc"},
		{Retention{OlderThan: 30 * 24 * time.Hour}, "ab"},
		{Retention{Keep: 4, OlderThan: 15 * 24 * time.Hour}, "abc"},
		{Retention{Keep: 10}, ""},
	} {
		if got := ids(tc.r.Goes(builds, now)); got != tc.want {
			t.Errorf("%+v: %q go, want %q", tc.r, got, tc.want)
		}
	}
}
