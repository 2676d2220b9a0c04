package fold

import (
	"testing"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/buildscope/buildscope/model"
)

// A mount BuildKit reported in use with no size (it does not measure a
// mount a build holds) makes the use unknown, never empty or 0 bytes.
func TestCacheMountInUseIsUnknown(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../assets/examples/cachedemo/Dockerfile", nil)
	b := &model.Build{Stages: []model.Stage{{Name: "deps", Steps: []model.Step{{Line: 9}}}}}
	rec := func(size int64, inUse bool) []CacheRecord {
		return []CacheRecord{{Type: "exec.cachemount", Description: `cached mount /var/cache/pkgs from exec /bin/sh -c … with id "//var/cache/pkgs"`, Size: size, InUse: inUse}}
	}
	for _, c := range []struct {
		name          string
		before, after []CacheRecord
		want          string
	}{
		{"measured", rec(1000, false), rec(2000, false), "2kB on the builder, found warm"},
		{"held after", rec(1000, false), rec(0, true), "size and warmth unknown: another build was using the mount"},
		{"held before", rec(0, true), rec(2000, false), "size and warmth unknown: another build was using the mount"},
		{"in use but measured", rec(1000, true), rec(2000, false), "2kB on the builder, found warm"},
	} {
		uses := CacheMountUses(b, plan, c.before, c.after)
		if len(uses) != 1 {
			t.Fatalf("%s: %d uses, want the one at line 9", c.name, len(uses))
		}
		if got := uses[0].State(); len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("%s: %q, want %q…", c.name, got, c.want)
		}
	}
}

// A step answered from the cache never ran: its mount was neither found
// warm nor empty, whatever the mount holds on the builder.
func TestCacheMountOfACachedStepIsUnused(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../assets/examples/cachedemo/Dockerfile", nil)
	b := &model.Build{Stages: []model.Stage{{Name: "deps", Steps: []model.Step{{Line: 9, Cached: true}}}}}
	recs := []CacheRecord{{Type: "exec.cachemount", Description: `cached mount /var/cache/pkgs from exec /bin/sh -c … with id "//var/cache/pkgs"`, Size: 2000}}
	uses := CacheMountUses(b, plan, recs, recs)
	if len(uses) != 1 {
		t.Fatalf("%d uses, want the one at line 9", len(uses))
	}
	if u := uses[0]; u.Warm || !u.Unused || u.State() != "2kB on the builder, not used: the step was answered from the cache" {
		t.Errorf("cached step's mount: %+v, %q", u, u.State())
	}
}
