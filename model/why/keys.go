package why

import (
	"strings"

	"github.com/buildscope/buildscope/model"
)

// SourceCacheKeys says an explanation rests on BuildKit's own cache keys:
// the plain-text inputs the builder saved for every key it computed
// (buildkitd --save-cache-debug), kept per step in the record.
const SourceCacheKeys = "cache-keys"

// keyReason is why step st ran, from its cache key and old's (the
// previous build's step): its own input that differs; a step it builds on
// that ran or changed; cache-evicted when the keys are equal. ok is false
// when either step has no key.
func keyReason(cur *model.Build, st, old *model.Step, seen map[string]Miss, changed []ChangedHit, hits map[string]int) (verdict, bool) {
	v, ok := compareKeys(cur, st, old)
	if !ok {
		return verdict{}, false
	}
	if v.Reason != "" {
		return fromKeys(v.Reason, v.Detail), true
	}
	parents := v.Parents
	if v.Same {
		// the same key: it ran because its entry was gone, unless a step
		// it builds on ran first (then that one is the root cause)
		for _, in := range st.Key.Inputs {
			parents = append(parents, in.From)
		}
		if st.Inputs != nil {
			parents = append(parents, st.Inputs.Parents...)
		}
	}
	for _, p := range parents {
		if m, ok := seen[p]; ok {
			root := m.Step
			if !m.Root {
				root = m.Detail.Root
			}
			return fromKeys(ReasonParent, Detail{Parent: m.Step, Root: root}), true
		}
		if i, ok := hits[p]; ok {
			return fromKeys(ReasonParentChanged, Detail{Parent: changed[i].Step, Root: changed[i].Step}), true
		}
	}
	if v.Same {
		// BuildKit's own record IDs back it where both are known: a
		// record made again under the same key (a new ID) is one BuildKit
		// did not find
		v.Detail.RecordOld, v.Detail.RecordNew = old.Key.BuildKitKey, st.Key.BuildKitKey
		return fromKeys(ReasonEvicted, v.Detail), true
	}
	return unknown(SourceCacheKeys, "which step: the key of a step or source it builds on differs from the previous build's, and that one is not a step of the build ("+strings.Join(parents, ", ")+")",
		Detail{KeyOld: old.Key.Key, KeyNew: st.Key.Key}), true
}

// keysNote says why an explanation of cur against prev cannot rest on
// cache keys.
func keysNote(cur, prev *model.Build) string {
	const lead = "recorded inputs, not BuildKit's cache keys: "
	for _, b := range []*model.Build{cur, prev} {
		if b.HasKeys() {
			continue
		}
		which := "build " + b.ID
		if b == prev {
			which = "the previous build " + b.ID
		}
		switch {
		case b.KeysMissing != "":
			return lead + which + " has none: " + b.KeysMissing
		case b.Builder == "docker":
			return lead + which + " ran on the Docker engine, whose BuildKit does not give them"
		default:
			return lead + which + " has none (made with --no-record-inputs, on a builder buildscope did not start, or before buildscope recorded them)"
		}
	}
	return ""
}
