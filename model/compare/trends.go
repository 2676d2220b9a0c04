package compare

import (
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// StepTrends gives each step of b that ran (by digest) its durations in
// the last n earlier builds of the same context, Dockerfile and target,
// oldest first, as "  (was 1.20s 1.31s –)" where "–" is a cache hit and
// nothing shows for a step those builds did not have.
func StepTrends(b *model.Build, history []*model.Build, n int) map[string]string {
	out := map[string]string{}
	var prev []*model.Build
	for cur := b; len(prev) < n; {
		p := why.PreviousBuild(cur, history)
		if p == nil {
			break
		}
		prev = append([]*model.Build{p}, prev...)
		cur = p
	}
	if len(prev) == 0 {
		return out
	}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			var parts []string
			seen := false
			for _, p := range prev {
				ps := stageSteps(p, s.Name)
				var m *model.Step
				for _, c := range ps {
					if sameStep(c, &st) {
						m = c
					}
				}
				switch {
				case m == nil:
					parts = append(parts, " ")
				case m.Cached:
					parts, seen = append(parts, "–"), true
				default:
					parts, seen = append(parts, fmt.Sprintf("%.2fs", m.Duration().Seconds())), true
				}
			}
			if seen {
				out[st.Digest] = "  (was " + strings.Join(parts, " ") + ")"
			}
		}
	}
	return out
}
