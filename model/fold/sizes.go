package fold

import (
	"strings"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// HistoryEntry is one entry of an image config's history with the size of
// the layer it made (0 for an empty layer).
type HistoryEntry struct {
	CreatedBy  string
	EmptyLayer bool
	SizeBytes  int64
}

// AssignStepSizes sets SizeBytes on the steps of the build's target stage
// and the stages it starts from, pairing the Dockerfile instructions with
// the image's history from the end (BuildKit writes one history entry per
// instruction after FROM, except ARG). Metadata-only steps get 0. When the
// history does not line up with the instructions it assigns nothing
// rather than guess, and returns false.
func AssignStepSizes(b *model.Build, plan *dockerfile.Plan, hist []HistoryEntry) bool {
	if plan == nil || len(plan.Stages) == 0 {
		return false
	}
	t := &plan.Stages[len(plan.Stages)-1]
	if b.Target != "" {
		if t = plan.Stage(b.Target); t == nil {
			return false
		}
	}
	type ref struct {
		stage string
		ins   dockerfile.Instruction
	}
	var chain []ref
	for s := t; s != nil; {
		var own []ref
		for _, ins := range s.Instructions[1:] {
			if ins.Keyword != "ARG" {
				own = append(own, ref{s.Name, ins})
			}
		}
		chain = append(own, chain...)
		if s.BaseStage < 0 {
			break
		}
		s = &plan.Stages[s.BaseStage]
	}
	if len(chain) > len(hist) {
		return false
	}
	sizes := map[string]map[int]int64{}
	for i, j := len(chain)-1, len(hist)-1; i >= 0; i, j = i-1, j-1 {
		if j < 0 {
			return false
		}
		h, c := hist[j], chain[i]
		if h.EmptyLayer && strings.HasPrefix(strings.ToUpper(h.CreatedBy), "ARG ") {
			i++ // BuildKit records an ARG given a value with --build-arg
			continue
		}
		if !strings.HasPrefix(strings.ToUpper(h.CreatedBy), c.ins.Keyword) {
			return false
		}
		if sizes[c.stage] == nil {
			sizes[c.stage] = map[int]int64{}
		}
		sizes[c.stage][c.ins.Line] = h.SizeBytes
	}
	for si := range b.Stages {
		byLine := sizes[b.Stages[si].Name]
		for k := range b.Stages[si].Steps {
			st := &b.Stages[si].Steps[k]
			if n, ok := byLine[st.Line]; ok {
				v := n
				st.SizeBytes = &v
			}
		}
	}
	return true
}
