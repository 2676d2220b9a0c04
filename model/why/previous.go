package why

import (
	"strings"

	"github.com/buildscope/buildscope/model"
)

// previousFailed is previous-failed when the previous build's step old
// failed or never ran (that build stopped before it): it left no cache
// entry to answer from.
func previousFailed(prev *model.Build, old *model.Step) (verdict, bool) {
	switch {
	case old.Error != "":
		return fromRecord(ReasonPrevFailed, Detail{Old: old.Error}), true
	case old.Started == nil && !old.Cached && prev.Status != model.StatusOK:
		return fromRecord(ReasonPrevFailed, Detail{Old: "build " + prev.ID + " " + prev.Status + " before this step ran"}), true
	}
	return verdict{}, false
}

// noLLB says which build lacks BuildKit's op digests, and why, naming its
// builder.
func noLLB(cur, prev *model.Build, curLacks bool) string {
	b, which := prev, "the previous build "+prev.ID
	if curLacks {
		b, which = cur, "build "+cur.ID
	}
	switch {
	case b.Builder == "docker":
		return which + " ran on the Docker engine, whose BuildKit keeps no build history"
	case b.Status == model.StatusError:
		return which + " failed on the " + builderName(b) + " builder before producing a result, so BuildKit kept no provenance with its LLB"
	}
	return which + " on the " + builderName(b) + " builder has none (BuildKit's history kept no provenance of it)"
}

func builderName(b *model.Build) string {
	if b.Builder == "" {
		return "unknown"
	}
	return b.Builder
}

// keysLack says why the cache keys are not there, when keysNote knows.
func keysLack(cur, prev *model.Build) string {
	if n := keysNote(cur, prev); n != "" {
		return " (" + strings.TrimPrefix(n, "recorded inputs, not BuildKit's cache keys: ") + ")"
	}
	return " (the step has no cache key)"
}
