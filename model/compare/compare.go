package compare

import (
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
	"github.com/buildscope/buildscope/model/why"
)

// BuildComparison sets two builds side by side: their steps matched by
// stage and instruction (tolerant of inserted and removed lines), what ran
// and what hit on each side, durations and layer sizes, and — where B ran
// a step A had — why, from why.Explain.
type BuildComparison struct {
	A     string                `json:"a"`
	B     string                `json:"b"`
	Wall  [2]float64            `json:"wall_seconds"`
	Cache [2]model.CacheSummary `json:"cache"`
	Steps []StepComparison      `json:"steps"`
	// Stages are the summed layer sizes of each stage's steps, A and B.
	Stages []StageSizeChange `json:"stages"`
}

// StepComparison is one step in A, in B, or in both.
type StepComparison struct {
	Stage       string `json:"stage"`
	Instruction string `json:"instruction"`
	// Line is the Dockerfile line on each side, 0 where the step is absent.
	Line    [2]int          `json:"line"`
	Present [2]bool         `json:"present"`
	Cached  [2]bool         `json:"cached"`
	Seconds [2]float64      `json:"seconds"`
	Size    [2]*int64       `json:"size_bytes"`
	Why     *why.Miss       `json:"why,omitempty"`
	Changed *why.ChangedHit `json:"changed_hit,omitempty"`
}

// StageSizeChange is a stage's layer bytes in A and in B.
type StageSizeChange struct {
	Name  string   `json:"name"`
	Bytes [2]int64 `json:"size_bytes"`
}

// CompareBuilds compares build a (the earlier) with b.
func Builds(a, b *model.Build) *BuildComparison {
	c := &BuildComparison{A: a.ID, B: b.ID, Cache: [2]model.CacheSummary{a.Cache, b.Cache},
		Wall: [2]float64{round2(a.Completed.Sub(a.Started).Seconds()), round2(b.Completed.Sub(b.Started).Seconds())}}
	ex := why.Explain(b, a)
	missed := map[string]why.Miss{}
	for _, m := range ex.Misses {
		missed[m.Step] = m
	}
	changed := map[string]why.ChangedHit{}
	for _, h := range ex.ChangedHits {
		changed[h.Step] = h
	}
	sizes := map[string]*StageSizeChange{}
	var order []string
	stageOf := func(name string) *StageSizeChange {
		if s, ok := sizes[name]; ok {
			return s
		}
		sizes[name] = &StageSizeChange{Name: name}
		order = append(order, name)
		return sizes[name]
	}
	for _, name := range stageNames(a, b) {
		sa, sb := stageSteps(a, name), stageSteps(b, name)
		for _, pair := range matchSteps(sa, sb) {
			sc := StepComparison{Stage: name}
			for side, st := range [2]*model.Step{pair[0], pair[1]} {
				if st == nil {
					continue
				}
				sc.Instruction = stepInstruction(st)
				sc.Present[side], sc.Line[side], sc.Cached[side] = true, st.Line, st.Cached
				sc.Seconds[side] = round2(st.Duration().Seconds())
				sc.Size[side] = st.SizeBytes
				if st.SizeBytes != nil {
					stageOf(name).Bytes[side] += *st.SizeBytes
				}
			}
			if pair[1] != nil {
				if m, ok := missed[pair[1].Name]; ok {
					sc.Why = &m
				}
				if h, ok := changed[pair[1].Name]; ok {
					sc.Changed = &h
				}
			}
			c.Steps = append(c.Steps, sc)
		}
	}
	for _, n := range order {
		c.Stages = append(c.Stages, *sizes[n])
	}
	return c
}

func stepInstruction(st *model.Step) string {
	if st.Inputs != nil && st.Inputs.Text != "" {
		return st.Inputs.Text
	}
	return st.Instruction
}

// stageNames are the stages of a then those only b has, in order.
func stageNames(a, b *model.Build) []string {
	var out []string
	seen := map[string]bool{}
	for _, bl := range []*model.Build{a, b} {
		for _, s := range bl.Stages {
			if !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s.Name)
			}
		}
	}
	return out
}

func stageSteps(b *model.Build, name string) []*model.Step {
	for si := range b.Stages {
		if b.Stages[si].Name == name {
			out := make([]*model.Step, len(b.Stages[si].Steps))
			for k := range b.Stages[si].Steps {
				out[k] = &b.Stages[si].Steps[k]
			}
			return out
		}
	}
	return nil
}

// matchSteps pairs the steps of one stage by instruction with a longest
// common subsequence; an unmatched step of a is paired with nil, and so
// is one of b, each where it falls in order.
func matchSteps(a, b []*model.Step) [][2]*model.Step {
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if sameStep(a[i], b[j]) {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out [][2]*model.Step
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case sameStep(a[i], b[j]):
			out = append(out, [2]*model.Step{a[i], b[j]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, [2]*model.Step{a[i], nil})
			i++
		default:
			out = append(out, [2]*model.Step{nil, b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		out = append(out, [2]*model.Step{a[i], nil})
	}
	for ; j < m; j++ {
		out = append(out, [2]*model.Step{nil, b[j]})
	}
	return out
}

// sameStep matches steps by instruction as written (FROM by image, since
// its digest may move).
func sameStep(a, b *model.Step) bool {
	ia, ib := stepInstruction(a), stepInstruction(b)
	if isFromText(ia) && isFromText(ib) {
		return dockerfile.NormalizeRef(ia[5:]) == dockerfile.NormalizeRef(ib[5:])
	}
	return ia == ib
}

func isFromText(s string) bool { return len(s) > 5 && s[:5] == "FROM " }

func round2(f float64) float64 { return float64(int64(f*100+0.5)) / 100 }
