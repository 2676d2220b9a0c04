package buildtext

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// BakeStage is one stage of a bake as the graph draws it: a Dockerfile
// stage, and the bake targets that build it. A stage two targets build
// with the same steps (the same vertices) is one piece of work, which
// BuildKit runs once: it is listed once, with both targets.
type BakeStage struct {
	// Key identifies the work: the stage's step digests.
	Key string
	// Stage is the stage as the first target (by name) records it.
	Stage model.Stage
	// Targets are the bake targets that build this stage, sorted.
	Targets []string
}

// Shared tells whether more than one target builds the stage.
func (s BakeStage) Shared() bool { return len(s.Targets) > 1 }

// BakeStages groups the stages of a bake's builds (by bake target): one
// entry per distinct piece of work, in the order of the first target that
// builds it (targets by name, stages in Dockerfile order). A stage with no
// step seen yet is its target's own.
func BakeStages(builds map[string]*model.Build) []BakeStage {
	names := make([]string, 0, len(builds))
	for n, b := range builds {
		if b != nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out []BakeStage
	index := map[string]int{}
	for _, n := range names {
		for _, st := range builds[n].Stages {
			key := stageKey(st)
			if key == "" {
				key = n + "\x00" + st.Name + "\x00" + strconv.Itoa(st.Index)
			}
			if i, ok := index[key]; ok {
				if !slices.Contains(out[i].Targets, n) {
					out[i].Targets = append(out[i].Targets, n)
				}
				continue
			}
			index[key] = len(out)
			out = append(out, BakeStage{Key: key, Stage: st, Targets: []string{n}})
		}
	}
	return out
}

// stageKey is the stage's step digests in order, "" if none is known.
func stageKey(st model.Stage) string {
	var ds []string
	for _, s := range st.Steps {
		if s.Digest != "" {
			ds = append(ds, s.Digest)
		}
	}
	return strings.Join(ds, ",")
}

// BakeSummary is what `bake` prints once its targets are done: each
// target that built, its summary line, then each stage several targets
// shared (built once for all of them).
func BakeSummary(builds map[string]*model.Build) string {
	names := make([]string, 0, len(builds))
	for n := range builds {
		names = append(names, n)
	}
	sort.Strings(names)
	var w strings.Builder
	for _, n := range names {
		if b := builds[n]; b != nil && b.Status == model.StatusOK {
			w.WriteString(model.Printable(n) + ": " + SummaryLine(b) + "\n")
		}
	}
	checks := map[string]bool{}
	for _, n := range names {
		if b := builds[n]; b != nil && ChecksLine(b) != "" && !checks[ChecksLine(b)] {
			l := ChecksLine(b)
			checks[l] = true
			w.WriteString(l + "\n")
		}
	}
	for _, s := range BakeStages(builds) {
		if s.Shared() {
			w.WriteString("stage " + model.Printable(s.Stage.Name) + ": built once for " + model.Printable(strings.Join(s.Targets, ", ")) + "\n")
		}
	}
	return w.String()
}
