package fold

import (
	"strings"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// CacheRecord is one record of the builder's disk usage, as BuildKit
// reports it (client.UsageInfo).
type CacheRecord struct {
	Type        string
	Description string
	Size        int64
	// InUse says a build holds the record: BuildKit then reports no size
	// for a mutable one such as a cache mount (it is changing).
	InUse bool
}

// changing says BuildKit could not measure the record: a cache mount in
// use, reported with no size.
func (r CacheRecord) changing() bool { return r.InUse && r.Size == 0 }

// AnyChanging says some record of recs could not be measured.
func AnyChanging(recs []CacheRecord) bool {
	for _, r := range recs {
		if r.changing() {
			return true
		}
	}
	return false
}

// mountHolds says whether record r is the storage of cache mount m: BuildKit
// describes it as `cached mount TARGET from exec … with id "/ID"`.
func mountHolds(m model.CacheMount, r CacheRecord) bool {
	if r.Type != "exec.cachemount" || !strings.HasPrefix(r.Description, "cached mount ") {
		return false
	}
	if strings.Contains(r.Description, " with id ") {
		return strings.HasSuffix(r.Description, `with id "/`+m.ID+`"`)
	}
	return strings.HasPrefix(r.Description, "cached mount "+m.Target+" ")
}

// CacheMountUses lists the cache mounts of b's steps with their size
// after the build (from after) and whether they held data before it
// (from before).
func CacheMountUses(b *model.Build, plan *dockerfile.Plan, before, after []CacheRecord) []model.CacheMountUse {
	if plan == nil {
		return nil
	}
	size := func(m model.CacheMount, recs []CacheRecord) (n int64, measured bool) {
		measured = true
		for _, r := range recs {
			if mountHolds(m, r) {
				n += r.Size
				measured = measured && !r.changing()
			}
		}
		return n, measured
	}
	var out []model.CacheMountUse
	for _, s := range b.Stages {
		ps := plan.Stage(s.Name)
		if ps == nil {
			continue
		}
		for _, st := range s.Steps {
			ins := dockerfile.InstructionAt(ps, st.Line)
			if ins == nil {
				continue
			}
			for _, m := range ins.CacheMounts {
				was, wasMeasured := size(m, before)
				now, nowMeasured := size(m, after)
				u := model.CacheMountUse{Stage: s.Name, Line: st.Line, CacheMount: m, SizeBytes: now, Warm: was > 0}
				if !wasMeasured || !nowMeasured {
					u = u.WithUnknown("another build was using the mount when buildscope measured it, and BuildKit does not measure a mount in use")
				}
				if st.Cached { // never ran: it neither found the mount warm nor empty
					u.Warm, u.Unused = false, true
				}
				out = append(out, u)
			}
		}
	}
	return out
}
