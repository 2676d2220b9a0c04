package why

import (
	"slices"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// fromMiss is why a FROM was not answered from the cache. BuildKit
// evaluates a source to compute its cache key and reports that as a run
// (solver/jobs.go: a vertex without inputs is "started" for its cache
// request): where every step built on the FROM was answered from the
// cache, its layers were never needed (cache-key-only). Otherwise it
// pulled or unpacked them again: a new digest or platform shows why; the
// same digest is cache-evicted only where BuildKit's keys of both FROMs
// are equal.
//
// Every answer but cache-key-only lists the layers the FROM pulled or
// unpacked, from its progress, or says that the record names none.
func fromMiss(cur, prev *model.Build, st *model.Step, keys bool) verdict {
	v := fromVerdict(cur, prev, st, keys)
	if v.Reason != ReasonKeyOnly {
		v.Detail.Pulled = st.Pulled
		if len(st.Pulled) == 0 {
			v.Detail.PulledUnknown = "the layers it pulled: the build's progress names none (a record made before buildscope kept them, or a builder that does not report them)"
		}
	}
	return v
}

func fromVerdict(cur, prev *model.Build, st *model.Step, keys bool) verdict {
	r, d, old, found := fromReason(prev, st)
	ref, dig, _ := strings.Cut(strings.TrimPrefix(st.Instruction, "FROM "), "@")
	switch {
	case !found:
		return fromInputs(ReasonInstruction, Detail{New: st.Instruction})
	case r != "":
		return fromInputs(r, d)
	}
	if a, b := strings.Join(prev.Platforms, ","), strings.Join(cur.Platforms, ","); a != b {
		return fromInputs(ReasonPlatform, Detail{Image: ref, Old: a, New: b})
	}
	if hit, ran := childrenOf(cur, st.Digest); hit > 0 && ran == 0 {
		return fromRecord(ReasonKeyOnly, Detail{Image: ref, New: dig})
	}
	if keys {
		if v, ok := compareKeys(cur, st, old); ok {
			switch {
			case v.Same:
				return fromKeys(ReasonEvicted, Detail{Image: ref, New: dig, Key: v.Detail.Key, Field: "base image"})
			case v.Reason != "":
				v.Detail.Image = ref
				return fromKeys(v.Reason, v.Detail)
			}
		}
	}
	return unknown(SourceRecordedInputs, "why the base image was pulled again: its digest equals the previous build's, and BuildKit's cache keys of both FROMs are needed to tell an evicted entry from another change"+keysLack(cur, prev),
		Detail{Image: ref, New: dig})
}

// childrenOf counts the steps of b built on the step of vertex digest d
// that were answered from the cache (hit) and that ran.
func childrenOf(b *model.Build, d string) (hit, ran int) {
	for _, st := range allSteps(b) {
		child := false
		if st.Inputs != nil && slices.Contains(st.Inputs.Parents, d) {
			child = true
		}
		if st.Key != nil {
			for _, in := range st.Key.Inputs {
				child = child || in.From == d
			}
		}
		switch {
		case !child:
		case st.Cached:
			hit++
		case st.Started != nil:
			ran++
		}
	}
	return hit, ran
}

// fromReason compares a FROM step with the previous build's FROM of the
// same image (BuildKit files a FROM shared by stages under any one of
// them): base-image-changed, or "" when the digest is the same; old is
// the previous build's FROM, found false when it did not use the image.
func fromReason(prev *model.Build, st *model.Step) (string, Detail, *model.Step, bool) {
	newRef, newDig, _ := strings.Cut(strings.TrimPrefix(st.Instruction, "FROM "), "@")
	for _, o := range allSteps(prev) {
		if !strings.HasPrefix(o.Instruction, "FROM ") {
			continue
		}
		if oldRef, oldDig, _ := strings.Cut(strings.TrimPrefix(o.Instruction, "FROM "), "@"); oldRef == newRef {
			if oldDig != newDig {
				return ReasonBase, Detail{Image: newRef, Old: oldDig, New: newDig}, o, true
			}
			return "", Detail{}, o, true
		}
	}
	return "", Detail{}, nil, false
}
