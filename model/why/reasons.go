package why

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// changedHit says what changed in a cached step against the previous
// build's step (Reason "" when nothing it records did, or when only its
// parents did: the changed parent is reported itself).
func changedHit(cur, prev *model.Build, si, k int, keys bool) verdict {
	st := cur.Stages[si].Steps[k]
	if strings.HasPrefix(st.Instruction, "FROM ") {
		if !keys {
			return verdict{}
		}
		r, d, _, _ := fromReason(prev, &st)
		return fromInputs(r, d)
	}
	old := previousStep(prev, cur.Stages[si], k)
	if keys {
		if v, ok := compareKeys(cur, &st, old); ok {
			return fromKeys(v.Reason, v.Detail) // "" when only its parents changed
		}
	}
	if st.Inputs == nil {
		return verdict{}
	}
	if old == nil || old.Inputs == nil || old.Inputs.Key == st.Inputs.Key {
		return verdict{}
	}
	return fromInputs(inputDiff(old, &st, cur, prev))
}

// missReason is why step k of stage si ran, with the data that shows it.
func missReason(cur, prev *model.Build, si, k int, keys bool, seen map[string]Miss, changed []ChangedHit, hits map[string]int) verdict {
	s := cur.Stages[si]
	st := s.Steps[k]
	in := st.Inputs
	if in == nil {
		in = &model.StepInputs{}
	}
	if cur.NoCache || slices.Contains(cur.NoCacheFilter, s.Name) {
		flag := "--no-cache"
		if !cur.NoCache {
			flag = "--no-cache-filter=" + s.Name
		}
		return fromRecord(ReasonNoCache, Detail{Flag: flag})
	}
	if prev == nil {
		return fromRecord(ReasonFirst, Detail{})
	}
	if strings.HasPrefix(st.Instruction, "FROM ") {
		return fromMiss(cur, prev, &st, keys)
	}
	old := previousStep(prev, s, k)
	if old == nil {
		return fromInputs(ReasonInstruction, Detail{New: textOr(in.Text, st.Instruction)})
	}
	if keys {
		if v, ok := keyReason(cur, &st, old, seen, changed, hits); ok {
			return v
		}
	}
	if r, d := inputDiff(old, &st, cur, prev); r != "" {
		return fromInputs(r, d)
	}
	if v, ok := previousFailed(prev, old); ok {
		return v
	}
	for _, p := range in.Parents {
		if m, ok := seen[p]; ok {
			root := m.Step
			if !m.Root {
				root = m.Detail.Root
			}
			return fromInputs(ReasonParent, Detail{Parent: m.Step, Root: root})
		}
		if i, ok := hits[p]; ok {
			return fromInputs(ReasonParentChanged, Detail{Parent: changed[i].Step, Root: changed[i].Step})
		}
	}
	oin := old.Inputs
	if oin == nil {
		oin = &model.StepInputs{}
	}
	switch {
	case oin.LLB != "" && in.LLB != "" && oin.LLB != in.LLB:
		// BuildKit's own op changed in a way the recorded inputs do not
		// break down (a flag, a mount, a network or security mode)
		return unknown(SourceRecordedInputs, "what changed in BuildKit's op: its LLB digest differs from the previous build's, but no input buildscope records does",
			Detail{LLBOld: oin.LLB, LLBNew: in.LLB})
	case in.Key == "" || oin.Key == "":
		return unknown(SourceRecordedInputs, "the step's recorded inputs (the build was made with --no-record-inputs, or before buildscope recorded them)", Detail{})
	case in.Key != oin.Key:
		return unknown(SourceRecordedInputs, "which input changed: the recorded input keys differ but no recorded input does", Detail{KeyOld: oin.Key, KeyNew: in.Key})
	case in.LLB == "" || oin.LLB == "":
		return unknown(SourceRecordedInputs, "BuildKit's op digest, to show the inputs were equal: "+noLLB(cur, prev, in.LLB == ""), Detail{Key: in.Key})
	}
	if len(in.Selected) > 0 {
		// a build buildscope did not run: the builder keeps no per-file
		// digests, and with the op and every other input equal, either
		// the content of the paths the step selects changed or its cache
		// entry was evicted: the data cannot tell which
		return unknown(SourceRecordedInputs, "whether the content of the paths the step selects changed or its cache entry was evicted: the builder keeps no per-file digests of a build buildscope did not run, and no cache keys of it were read",
			Detail{Files: in.Selected})
	}
	// every recorded input and BuildKit's own op digest are equal, and the
	// step still ran: only BuildKit's cache keys of both steps prove that
	// the step was the same and its entry was gone
	return unknown(SourceRecordedInputs, "BuildKit's cache keys of both builds' steps, to prove its cache entry was evicted: every recorded input and BuildKit's op digest equal the previous build's, and the step still ran"+keysLack(cur, prev),
		Detail{Key: in.Key, LLB: in.LLB})
}

// previousStep is the previous build's step matching step k of stage s.
func previousStep(prev *model.Build, s model.Stage, k int) *model.Step {
	nth := 0
	for j := 0; j < k; j++ {
		if !strings.HasPrefix(s.Steps[j].Instruction, "FROM ") {
			nth++
		}
	}
	old := matchStep(prev, s.Name, s.Steps[k].Line, nth)
	if st := &s.Steps[k]; old != nil && st.Key != nil && old.Key != nil && isSource(st) != isSource(old) {
		// two vertices on one line (ADD of a remote file or a git
		// repository: the source, then the copy of it), in either order:
		// the one of the same kind
		for _, o := range allSteps(prev) {
			if o.Line == old.Line && o.Key != nil && isSource(o) == isSource(st) && !strings.HasPrefix(o.Instruction, "FROM ") {
				return o
			}
		}
	}
	return old
}

// isSource says a step with a cache key is a source (a remote file, a
// git repository): its key has no inputs.
func isSource(st *model.Step) bool { return len(st.Key.Inputs) == 0 }

// inputDiff is the first recorded input (not a parent) that differs
// between the previous build's step old and st: instruction, platform,
// build arg, ENV, context files, named context files.
func inputDiff(old, st *model.Step, cur, prev *model.Build) (string, Detail) {
	in, oin := st.Inputs, old.Inputs
	if in == nil {
		in = &model.StepInputs{}
	}
	if oin == nil {
		oin = &model.StepInputs{}
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
func matchStep(b *model.Build, stage string, line, k int) *model.Step {
	for si := range b.Stages {
		if b.Stages[si].Name != stage {
			continue
		}
		var rest []*model.Step
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

func allSteps(b *model.Build) []*model.Step {
	var out []*model.Step
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

func stepByName(b *model.Build, name string) *model.Step {
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
