package why

import (
	"strings"

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
	// ReasonPrevFailed: the previous build's run of the step failed (or
	// that build stopped before it), leaving no cache entry; Detail.Old is
	// its error.
	ReasonPrevFailed = "previous-failed"
	// ReasonKeyOnly: a FROM BuildKit evaluated only to compute its cache
	// key (and counts as not cached): every step built on it was answered
	// from the cache, so its layers were not needed.
	ReasonKeyOnly = "cache-key-only"
	// ReasonRemote: a remote source the step reads (ADD https://…)
	// changed; Detail.URL names it, Old and New its content checksums.
	ReasonRemote = "remote-changed"
)

// SourceRecordedInputs says an explanation rests on the inputs buildscope
// recorded for each step (and BuildKit's normalised LLB op digests).
const SourceRecordedInputs = "recorded-inputs"

// SourceBuildRecord says an explanation rests on the build records
// themselves: the flags a build was made with (--no-cache), whether a
// previous build exists, how its step ended.
const SourceBuildRecord = "build-record"

// verdict is why one step ran (or changed), and the data that shows it:
// every reason is given with its source, so that no answer is given
// without naming what it came from.
type verdict struct {
	Reason string
	Detail Detail
	Source string
}

// fromKeys, fromInputs and fromRecord are verdicts of their source.
func fromKeys(r string, d Detail) verdict   { return verdict{r, d, SourceCacheKeys} }
func fromInputs(r string, d Detail) verdict { return verdict{r, d, SourceRecordedInputs} }
func fromRecord(r string, d Detail) verdict { return verdict{r, d, SourceBuildRecord} }

// unknown is inputs-unknown: source was read, and missing is what it
// lacks to tell why.
func unknown(source, missing string, d Detail) verdict {
	d.Missing = missing
	return verdict{ReasonUnknown, d, source}
}

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
	// Source is where the answer came from as a whole: SourceCacheKeys
	// when both builds have BuildKit's cache keys, else
	// SourceRecordedInputs. Each miss and changed hit names its own
	// (Miss.Source): a step without a key is explained from what else
	// was recorded, and says so.
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
	// Source is the data the reason comes from (as Miss.Source).
	Source string `json:"source"`
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
	// Source is the data the reason comes from: SourceCacheKeys (BuildKit's
	// cache keys of both builds' steps), SourceRecordedInputs (the inputs
	// buildscope recorded and BuildKit's op digests) or SourceBuildRecord
	// (the records' flags, status and history).
	Source string `json:"source"`
	// Root is true for a root cause (every reason but parent-missed,
	// parent-changed and cache-key-only).
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
	seen := map[string]Miss{}    // the misses a later step may cascade from
	hits := map[string]int{}     // changed hits by step digest → index in ex.ChangedHits
	var order []string
	for si, s := range cur.Stages {
		for k := range s.Steps {
			st := &s.Steps[k]
			if st.Cached {
				if prev != nil && !cur.NoCache {
					if v := changedHit(cur, prev, si, k, keys); v.Reason != "" {
						hits[st.Digest] = len(ex.ChangedHits)
						ex.ChangedHits = append(ex.ChangedHits, ChangedHit{Step: st.Name, Stage: s.Name, Line: st.Line, Reason: v.Reason, Detail: v.Detail, Source: v.Source})
					}
				}
				continue
			}
			if !st.Ran() {
				continue
			}
			// every step BuildKit ran is a miss (model.Step.Ran, the
			// build's counts' definition), a FROM that pulled its layers
			// again included
			v := missReason(cur, prev, si, k, keys, seen, ex.ChangedHits, hits)
			m := Miss{Step: st.Name, Stage: s.Name, Line: st.Line, Reason: v.Reason, Detail: v.Detail, Source: v.Source, duration: stepSeconds(st)}
			m.Root = m.Reason != ReasonParent && m.Reason != ReasonParentChanged && m.Reason != ReasonKeyOnly
			if m.Root && len(cur.CacheImports) > 0 {
				var imported bool
				m.Detail.CacheFrom, imported = cacheFromNote(cur, s.Name, st)
				failed := len(importFailures(cur)) == len(cur.CacheImports)
				if !imported && (m.Reason == ReasonFirst || m.Reason == ReasonEvicted) && (st.Key != nil || failed) {
					// the caches' records were read against the step's
					// key, or none could be read at all
					m.Reason, m.Source = ReasonNotImported, SourceCacheKeys
					if st.Key == nil {
						m.Source = SourceBuildRecord
					}
				}
			}
			if !strings.HasPrefix(st.Instruction, "FROM ") || m.Reason == ReasonBase || m.Reason == ReasonInstruction {
				// a FROM pulled again with the same key does not change
				// the keys of the steps built on it: they are not its cascade
				seen[st.Digest] = m
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
	// root causes, the steps they cascaded to, then the FROMs BuildKit
	// evaluated for their keys only (they made nothing run)
	for _, group := range []int{groupRoot, groupCascade, groupKeyOnly} {
		for _, d := range order {
			if m := reasons[d]; missGroup(m) == group {
				if m.Root {
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

// The groups misses are listed in.
const (
	groupRoot = iota
	groupCascade
	groupKeyOnly
)

func missGroup(m Miss) int {
	switch {
	case m.Reason == ReasonKeyOnly:
		return groupKeyOnly
	case m.Root:
		return groupRoot
	}
	return groupCascade
}

func stepSeconds(st *model.Step) float64 {
	if st.Started == nil || st.Completed == nil {
		return 0
	}
	return st.Completed.Sub(*st.Started).Seconds()
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
