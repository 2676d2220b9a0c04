package model

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
)

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
func PreviousBuild(cur *Build, history []*Build) *Build {
	var prev *Build
	for _, b := range history {
		if b.ID == cur.ID || !b.Started.Before(cur.Started) || b.Status == StatusCanceled || b.Status == StatusRunning || otherBakeTarget(cur, b) {
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
func Explain(cur, prev *Build) *Explanation {
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

func stepSeconds(st *Step) float64 {
	if st.Started == nil || st.Completed == nil {
		return 0
	}
	return st.Completed.Sub(*st.Started).Seconds()
}

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }

// changedHit says what changed in a cached step against the previous
// build's step ("" when nothing it records did, or when only its parents
// did: the changed parent is reported itself).
func changedHit(cur, prev *Build, si, k int, keys bool) (string, Detail) {
	st := cur.Stages[si].Steps[k]
	if strings.HasPrefix(st.Instruction, "FROM ") {
		if !keys {
			return "", Detail{}
		}
		r, d, _ := fromReason(prev, &st)
		return r, d
	}
	old := previousStep(prev, cur.Stages[si], k)
	if keys {
		if v, ok := compareKeys(cur, &st, old); ok {
			return v.Reason, v.Detail // "" when only its parents changed
		}
	}
	if st.Inputs == nil {
		return "", Detail{}
	}
	if old == nil || old.Inputs == nil || old.Inputs.Key == st.Inputs.Key {
		return "", Detail{}
	}
	return inputDiff(old, &st, cur, prev)
}

// missReason is the reason step k of stage si ran.
func missReason(cur, prev *Build, si, k int, keys bool, seen map[string]Miss, changed []ChangedHit, hits map[string]int) (string, Detail) {
	s := cur.Stages[si]
	st := s.Steps[k]
	in := st.Inputs
	if in == nil {
		in = &StepInputs{}
	}
	isFrom := strings.HasPrefix(st.Instruction, "FROM ")
	if cur.NoCache || slices.Contains(cur.NoCacheFilter, s.Name) {
		flag := "--no-cache"
		if !cur.NoCache {
			flag = "--no-cache-filter=" + s.Name
		}
		return ReasonNoCache, Detail{Flag: flag}
	}
	if prev == nil {
		return ReasonFirst, Detail{}
	}
	if isFrom {
		if r, d, found := fromReason(prev, &st); found {
			return r, d
		}
		return ReasonInstruction, Detail{New: st.Instruction}
	}
	old := previousStep(prev, s, k)
	if keys {
		if r, d, ok := keyReason(cur, &st, old, seen, changed, hits); ok {
			return r, d
		}
	}
	if old == nil {
		return ReasonInstruction, Detail{New: textOr(in.Text, st.Instruction)}
	}
	if r, d := inputDiff(old, &st, cur, prev); r != "" {
		return r, d
	}
	for _, p := range in.Parents {
		if m, ok := seen[p]; ok {
			root := m.Step
			if !m.Root {
				root = m.Detail.Root
			}
			return ReasonParent, Detail{Parent: m.Step, Root: root}
		}
		if i, ok := hits[p]; ok {
			return ReasonParentChanged, Detail{Parent: changed[i].Step, Root: changed[i].Step}
		}
	}
	oin := old.Inputs
	if oin == nil {
		oin = &StepInputs{}
	}
	switch {
	case oin.LLB != "" && in.LLB != "" && oin.LLB != in.LLB:
		// BuildKit's own op changed in a way the recorded inputs do not
		// break down (a flag, a mount, a network or security mode)
		return ReasonUnknown, Detail{Missing: "what changed in BuildKit's op: its LLB digest differs from the previous build's, but no input buildscope records does",
			LLBOld: oin.LLB, LLBNew: in.LLB}
	case in.Key == "" || oin.Key == "":
		return ReasonUnknown, Detail{Missing: "the step's recorded inputs (the build was made with --no-record-inputs, or before buildscope recorded them)"}
	case in.Key != oin.Key:
		return ReasonUnknown, Detail{Missing: "which input changed: the recorded input keys differ but no recorded input does", KeyOld: oin.Key, KeyNew: in.Key}
	case in.LLB == "" || oin.LLB == "":
		return ReasonUnknown, Detail{Missing: "BuildKit's op digest, to show the inputs were equal (this builder keeps no build history: the Docker engine's BuildKit)", Key: in.Key}
	}
	if len(in.Selected) > 0 {
		// a build buildscope did not run: the builder keeps no per-file
		// digests, and with the op and every other input equal, what
		// changed is the content of the paths the step selects
		return ReasonContext, Detail{Files: in.Selected,
			Missing: "per-file digests (the builder keeps none): these are the paths the step selects, whose content changed or whose cache entry was evicted"}
	}
	// every recorded input and BuildKit's own op digest are equal, and the
	// step still ran: its cache entry was gone
	return ReasonEvicted, Detail{Key: in.Key, LLB: in.LLB}
}

// previousStep is the previous build's step matching step k of stage s.
func previousStep(prev *Build, s Stage, k int) *Step {
	nth := 0
	for j := 0; j < k; j++ {
		if !strings.HasPrefix(s.Steps[j].Instruction, "FROM ") {
			nth++
		}
	}
	return matchStep(prev, s.Name, s.Steps[k].Line, nth)
}

// inputDiff is the first recorded input (not a parent) that differs
// between the previous build's step old and st: instruction, platform,
// build arg, ENV, context files, named context files.
func inputDiff(old, st *Step, cur, prev *Build) (string, Detail) {
	in, oin := st.Inputs, old.Inputs
	if in == nil {
		in = &StepInputs{}
	}
	if oin == nil {
		oin = &StepInputs{}
	}
	if oin.Text != in.Text || (in.Text == "" && old.Instruction != st.Instruction) {
		return ReasonInstruction, Detail{Old: textOr(oin.Text, old.Instruction), New: textOr(in.Text, st.Instruction)}
	}
	if a, b := strings.Join(prev.Platforms, ","), strings.Join(cur.Platforms, ","); a != b {
		return ReasonPlatform, Detail{Old: a, New: b}
	}
	if d := mapDiff(oin.Args, in.Args); d != nil {
		return ReasonBuildArg, Detail{Arg: d[0], Old: d[1], New: d[2]}
	}
	if d := mapDiff(oin.Env, in.Env); d != nil {
		return ReasonEnv, Detail{Var: d[0], Old: d[1], New: d[2]}
	}
	if d, ok := filesDetail(oin.Files, in.Files); ok {
		return ReasonContext, d
	}
	for _, name := range slices.Sorted(maps.Keys(unionKeys(oin.Contexts, in.Contexts))) {
		if d, ok := filesDetail(oin.Contexts[name], in.Contexts[name]); ok {
			d.Context = name
			return ReasonNamedContext, d
		}
	}
	return "", Detail{}
}

// filesDetail is the detail of a change of files (path → digest): which
// were added, removed and modified, with their digests.
func filesDetail(old, cur map[string]string) (Detail, bool) {
	added, removed, modified := fileDiff(old, cur)
	if len(added)+len(removed)+len(modified) == 0 {
		return Detail{}, false
	}
	files := append(append(append([]string{}, added...), removed...), modified...)
	slices.Sort(files)
	d := Detail{Files: files, Added: added, Removed: removed, Modified: modified}
	for _, f := range files {
		d.Changes = append(d.Changes, InputFile{Path: f, Old: old[f], New: cur[f]})
	}
	return d, true
}

func unionKeys[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func textOr(text, name string) string {
	if text != "" {
		return text
	}
	return name
}

// matchStep finds the previous build's step for step k of a stage: the
// non-FROM step on the same line, else the k-th non-FROM step (lines move
// when lines above are edited).
func matchStep(b *Build, stage string, line, k int) *Step {
	for si := range b.Stages {
		if b.Stages[si].Name != stage {
			continue
		}
		var rest []*Step
		for j := range b.Stages[si].Steps {
			o := &b.Stages[si].Steps[j]
			if strings.HasPrefix(o.Instruction, "FROM ") {
				continue
			}
			if o.Line == line {
				return o
			}
			rest = append(rest, o)
		}
		if k < len(rest) {
			return rest[k]
		}
	}
	return nil
}

func allSteps(b *Build) []*Step {
	var out []*Step
	for si := range b.Stages {
		for j := range b.Stages[si].Steps {
			out = append(out, &b.Stages[si].Steps[j])
		}
	}
	return out
}

// mapDiff returns the first (by name) key whose value differs: key, old, new.
func mapDiff(a, b map[string]string) []string {
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		va, oka := a[k]
		vb, okb := b[k]
		if va != vb || oka != okb {
			return []string{k, va, vb}
		}
	}
	return nil
}

func fileDiff(a, b map[string]string) (added, removed, modified []string) {
	for p, d := range b {
		if od, ok := a[p]; !ok {
			added = append(added, p)
		} else if od != d {
			modified = append(modified, p)
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			removed = append(removed, p)
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	slices.Sort(modified)
	return added, removed, modified
}

// ignorable are context files users commonly keep out with .dockerignore.
var ignorable = []string{"*.md", "README*", "LICENSE*", ".git", ".github", "docs", "test", "tests", "*.log", ".env*", "node_modules", "Dockerfile*", ".dockerignore"}

func isIgnorable(file string) bool {
	for _, part := range strings.Split(file, "/") {
		for _, pat := range ignorable {
			if ok, _ := path.Match(pat, part); ok {
				return true
			}
		}
	}
	return false
}

// advise applies the seeds' practices to the misses: install dependencies
// from their manifests before copying the sources, and keep files the
// image does not need out of the context.
func advise(cur *Build, misses []Miss) []string {
	var out []string
	for _, cm := range cur.CacheMounts {
		for _, m := range misses {
			if m.Stage != cm.Stage || m.Line != cm.Line {
				continue
			}
			switch {
			case cm.Unknown != "":
				out = append(out, fmt.Sprintf("whether line %d found its cache mount %s warm is not known: %s", m.Line, cm.Target, cm.Unknown))
			case cm.Warm:
				out = append(out, fmt.Sprintf("line %d ran with its cache mount %s warm (%s on the builder): a CI runner that only imports --cache-from finds it empty, as cache mounts are never exported with the build cache", m.Line, cm.Target, HumanSize(cm.SizeBytes)))
			case len(cur.CacheImports) > 0:
				out = append(out, cacheFromMountAdvice(cur, m, cm))
			default:
				out = append(out, fmt.Sprintf("line %d ran with its cache mount %s empty: a first use, a pruned builder, or a CI runner that only imported --cache-from (cache mounts are never exported with the build cache); keep the runner's builder, or export the directory yourself", m.Line, cm.Target))
			}
		}
	}
	for _, m := range misses {
		if m.Reason != ReasonContext {
			continue
		}
		files := m.Detail.Files
		ins := stepByName(cur, m.Step)
		broad := ins != nil && isBroadCopy(ins.Instruction)
		var runs []string
		for _, d := range misses {
			if d.Reason == ReasonParent && d.Detail.Root == m.Step && strings.Contains(d.Step, "] RUN ") {
				runs = append(runs, fmt.Sprintf("line %d", d.Line))
			}
		}
		if broad && len(runs) > 0 {
			out = append(out, fmt.Sprintf("the RUN at %s re-ran only because %q (line %d) copied changed files (%s): copy the dependency manifests and install from them before copying the rest of the sources, so that editing sources keeps those steps cached",
				strings.Join(runs, ", "), ins.Instruction, m.Line, strings.Join(head(files, 3), ", ")))
		}
		allIgnorable := len(files) > 0
		for _, f := range files {
			allIgnorable = allIgnorable && isIgnorable(f)
		}
		if allIgnorable {
			out = append(out, fmt.Sprintf("line %d missed only because of %s, which the image likely does not need: exclude them in .dockerignore", m.Line, strings.Join(head(files, 3), ", ")))
		}
	}
	return out
}

func isBroadCopy(instruction string) bool {
	f := strings.Fields(instruction)
	if len(f) < 3 || (f[0] != "COPY" && f[0] != "ADD") {
		return false
	}
	for _, src := range f[1 : len(f)-1] {
		if src == "." || src == "./" || src == "*" {
			return true
		}
	}
	return false
}

func stepByName(b *Build, name string) *Step {
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			if b.Stages[si].Steps[k].Name == name {
				return &b.Stages[si].Steps[k]
			}
		}
	}
	return nil
}

func head(s []string, n int) []string {
	if len(s) > n {
		return append(append([]string{}, s[:n]...), fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// fromReason compares a FROM step with the previous build's FROM of the
// same image (BuildKit files a FROM shared by stages under any one of
// them): base-image-changed, or "" when the digest is the same; found is
// false when the previous build did not use the image.
func fromReason(prev *Build, st *Step) (string, Detail, bool) {
	newRef, newDig, _ := strings.Cut(strings.TrimPrefix(st.Instruction, "FROM "), "@")
	for _, o := range allSteps(prev) {
		if !strings.HasPrefix(o.Instruction, "FROM ") {
			continue
		}
		if oldRef, oldDig, _ := strings.Cut(strings.TrimPrefix(o.Instruction, "FROM "), "@"); oldRef == newRef {
			if oldDig != newDig {
				return ReasonBase, Detail{Image: newRef, Old: oldDig, New: newDig}, true
			}
			return "", Detail{}, true
		}
	}
	return "", Detail{}, false
}
