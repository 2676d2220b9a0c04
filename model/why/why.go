package why

import (
	"github.com/buildscope/buildscope/model"
)

// otherBakeTarget says b is, for cur, another target of a bake: one of the
// same bake, or another bake target (which may build the same stage with
// other args), so not the build to explain cur against.
func otherBakeTarget(cur, b *model.Build) bool {
	if cur.Bake == nil || b.Bake == nil {
		return false
	}
	return cur.Bake.ID == b.Bake.ID || cur.Bake.Target != b.Bake.Target
}

// Reason codes of a cache miss (DESIGN.md).
const (
	ReasonInstruction = "instruction-changed"
	ReasonBuildArg    = "build-arg-changed"
	ReasonEnv         = "env-changed"
	ReasonBase        = "base-image-changed"
	ReasonContext     = "context-changed"
	ReasonParent      = "parent-missed"
	// ReasonParentChanged: a step this one builds on changed and was still
	// answered from an older cache entry (a changed hit), so this one ran.
	ReasonParentChanged = "parent-changed"
	ReasonNamedContext  = "named-context-changed"
	// ReasonUnknown: the recorded inputs do not show why; Detail says what
	// is missing. Never a guess.
	ReasonUnknown  = "inputs-unknown"
	ReasonNoCache  = "no-cache"
	ReasonPlatform = "platform-changed"
	ReasonFirst    = "first-build"
	ReasonEvicted  = "cache-evicted"
	// ReasonNotImported: the build imported --cache-from, and the import
	// failed or did not hold the step; Detail.CacheFrom says which.
	ReasonNotImported = "cache-not-imported"
)

// SourceRecordedInputs says an explanation rests on the inputs buildscope
// recorded for each step (and BuildKit's normalised LLB op digests).
const SourceRecordedInputs = "recorded-inputs"

// Explanation says why each step of a build that ran did not come from
// the cache, against the previous build of the same Dockerfile.
type Explanation struct {
	Build    string   `json:"build"`
	Previous string   `json:"previous"`
	Misses   []Miss   `json:"misses"`
	Advice   []string `json:"advice,omitempty"`
	// ChangedHits are steps whose inputs changed against the previous
	// build and that were still answered from the cache (an older entry):
	// the root causes of the misses that built on them.
	ChangedHits []ChangedHit `json:"changed_hits"`
	// Source is where the answer came from: SourceCacheKeys when both
	// builds have BuildKit's cache keys, else SourceRecordedInputs.
	Source string `json:"source"`
	// SourceNote says why the answer does not come from cache keys.
	SourceNote string `json:"source_note,omitempty"`
}

// ChangedHit is a step that changed and still hit the cache.
type ChangedHit struct {
	Step   string `json:"step"`
	Stage  string `json:"stage"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Detail Detail `json:"detail"`
	// CostSeconds is the summed duration of the misses it made run.
	CostSeconds float64 `json:"cost_seconds"`
}

// Miss is one step that ran, and why.
type Miss struct {
	Step   string `json:"step"`
	Stage  string `json:"stage"`
	Line   int    `json:"line"`
	Reason string `json:"reason"`
	Detail Detail `json:"detail"`
	// Root is true for a root cause (every reason but parent-missed and
	// parent-changed).
	Root bool `json:"root"`
	// CostSeconds, on a root cause, is the summed duration of the steps it
	// made run: itself and every miss that cascaded from it.
	CostSeconds float64 `json:"cost_seconds,omitempty"`
	duration    float64
}

// PreviousBuild picks from history the latest build before cur of the
// same context, Dockerfile and target that got far enough to run steps
// (for a bake target, not another target of a bake).
func PreviousBuild(cur *model.Build, history []*model.Build) *model.Build {
	var prev *model.Build
	for _, b := range history {
		if b.ID == cur.ID || !b.Started.Before(cur.Started) || b.Status == model.StatusCanceled || b.Status == model.StatusRunning || otherBakeTarget(cur, b) {
			continue
		}
		if b.Context == cur.Context && b.Dockerfile == cur.Dockerfile && b.Target == cur.Target {
			if prev == nil || b.Started.After(prev.Started) {
				prev = b
			}
		}
	}
	return prev
}

// Explain explains the misses of cur against prev (nil: first build).
// Root causes come first, in build order; then the steps they cascaded to.
func Explain(cur, prev *model.Build) *Explanation {
	ex := &Explanation{Build: cur.ID, Misses: []Miss{}, ChangedHits: []ChangedHit{}, Source: SourceRecordedInputs}
	if prev != nil {
		ex.Previous = prev.ID
	}
	keys := prev != nil && cur.HasKeys() && prev.HasKeys()
	if keys {
		ex.Source = SourceCacheKeys
	} else if prev != nil {
		ex.SourceNote = keysNote(cur, prev)
	}
	reasons := map[string]Miss{} // by step digest
	hits := map[string]int{}     // changed hits by step digest → index in ex.ChangedHits
	var order []string
	for si, s := range cur.Stages {
		for k := range s.Steps {
			st := &s.Steps[k]
			if st.Cached {
				if prev != nil && !cur.NoCache {
					if reason, detail := changedHit(cur, prev, si, k, keys); reason != "" {
						hits[st.Digest] = len(ex.ChangedHits)
						ex.ChangedHits = append(ex.ChangedHits, ChangedHit{Step: st.Name, Stage: s.Name, Line: st.Line, Reason: reason, Detail: detail})
					}
				}
				continue
			}
			if st.Started == nil {
				continue
			}
			m := Miss{Step: st.Name, Stage: s.Name, Line: st.Line, Detail: Detail{}, duration: stepSeconds(st)}
			m.Reason, m.Detail = missReason(cur, prev, si, k, keys, reasons, ex.ChangedHits, hits)
			if m.Reason == "" {
				continue // a base image resolved again, unchanged
			}
			m.Root = m.Reason != ReasonParent && m.Reason != ReasonParentChanged
			if m.Root && len(cur.CacheImports) > 0 {
				var imported bool
				m.Detail.CacheFrom, imported = cacheFromNote(cur, s.Name, st)
				if !imported && (m.Reason == ReasonFirst || m.Reason == ReasonEvicted) {
					m.Reason = ReasonNotImported
				}
			}
			reasons[st.Digest] = m
			order = append(order, st.Digest)
		}
	}
	// what each root cause cost: its own run and its cascades'
	cost := map[string]float64{}
	for _, d := range order {
		m := reasons[d]
		root := m.Step
		if !m.Root {
			root = m.Detail.Root
		}
		cost[root] += m.duration
	}
	for _, root := range []bool{true, false} {
		for _, d := range order {
			if m := reasons[d]; m.Root == root {
				if root {
					m.CostSeconds = round2(cost[m.Step])
				}
				ex.Misses = append(ex.Misses, m)
			}
		}
	}
	for i := range ex.ChangedHits {
		ex.ChangedHits[i].CostSeconds = round2(cost[ex.ChangedHits[i].Step])
	}
	ex.Advice = append(importFailures(cur), advise(cur, ex.Misses)...)
	return ex
}

func stepSeconds(st *model.Step) float64 {
	if st.Started == nil || st.Completed == nil {
		return 0
	}
	return st.Completed.Sub(*st.Started).Seconds()
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
