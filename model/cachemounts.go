package model

import (
	"fmt"
	"strings"
	"time"
)

// CacheMountUse is one cache mount of a build's step.
type CacheMountUse struct {
	Stage string `json:"stage"`
	Line  int    `json:"line"`
	CacheMount
	// SizeBytes is its size on the builder after the build.
	SizeBytes int64 `json:"size_bytes"`
	// Unknown, when set, says why SizeBytes and Warm are not known (both
	// are then zero): the builder's disk usage cannot tell this mount from
	// others.
	Unknown string `json:"unknown,omitempty"`
	// Warm says the build found it holding data; false: it started empty
	// (first use, pruned, or a CI runner that only imported --cache-from:
	// cache mounts are never exported with the build cache).
	Warm bool `json:"warm"`
}

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
func mountHolds(m CacheMount, r CacheRecord) bool {
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
func CacheMountUses(b *Build, plan *Plan, before, after []CacheRecord) []CacheMountUse {
	if plan == nil {
		return nil
	}
	size := func(m CacheMount, recs []CacheRecord) (n int64, measured bool) {
		measured = true
		for _, r := range recs {
			if mountHolds(m, r) {
				n += r.Size
				measured = measured && !r.changing()
			}
		}
		return n, measured
	}
	var out []CacheMountUse
	for _, s := range b.Stages {
		ps := plan.Stage(s.Name)
		if ps == nil {
			continue
		}
		for _, st := range s.Steps {
			ins := instructionAt(ps, st.Line)
			if ins == nil {
				continue
			}
			for _, m := range ins.CacheMounts {
				was, wasMeasured := size(m, before)
				now, nowMeasured := size(m, after)
				u := CacheMountUse{Stage: s.Name, Line: st.Line, CacheMount: m, SizeBytes: now, Warm: was > 0}
				if !wasMeasured || !nowMeasured {
					u = u.WithUnknown("another build was using the mount when buildscope measured it, and BuildKit does not measure a mount in use")
				}
				out = append(out, u)
			}
		}
	}
	return out
}

// HasCacheMounts says whether any instruction of the plan mounts a cache.
func (p *Plan) HasCacheMounts() bool {
	for _, s := range p.Stages {
		for _, ins := range s.Instructions {
			if len(ins.CacheMounts) > 0 {
				return true
			}
		}
	}
	return false
}

// cacheFromMountAdvice explains a step that ran in a build importing
// --cache-from with its cache mount empty: the import brings layers, never
// cache mounts (docker/build-push-action#1011, moby/buildkit#1673), so a
// fresh CI runner runs the step as on a first build, whatever it imports.
func cacheFromMountAdvice(cur *Build, m Miss, cm CacheMountUse) string {
	var refs []string
	for _, ci := range cur.CacheImports {
		refs = append(refs, ci.Ref)
	}
	took := ""
	if st := stepByName(cur, m.Step); st != nil && st.Duration() > 0 {
		took = fmt.Sprintf(" (%s here)", st.Duration().Round(10*time.Millisecond))
	}
	return fmt.Sprintf("line %d ran with its cache mount %s empty although the build imported --cache-from %s: cache mounts are never exported with the build cache, so this runner filled %s from nothing%s; "+
		"reuse the runner's builder, or save the directory yourself (e.g. a CI cache restored into the build context and copied into the mount)",
		m.Line, cm.Target, strings.Join(refs, ", "), HumanSize(cm.SizeBytes), took)
}

// State is the mount's size and warmth as history show prints them.
func (m CacheMountUse) State() string {
	if m.Unknown != "" {
		return "size and warmth unknown: " + Printable(m.Unknown)
	}
	state := "found empty"
	if m.Warm {
		state = "found warm"
	}
	return HumanSize(m.SizeBytes) + " on the builder, " + state
}

// WithUnknown is m with its size and warmth unknown, for the reason why.
func (m CacheMountUse) WithUnknown(why string) CacheMountUse {
	m.SizeBytes, m.Warm, m.Unknown = 0, false, why
	return m
}
