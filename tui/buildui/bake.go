package buildui

import (
	"context"
	"errors"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/graph"
)

// BakeTarget is a target of the bake shown: its name and the stage it builds ("" for the last).
type BakeTarget struct {
	Name  string
	Stage string
}

// bakeStages are the stages the targets build.
func bakeStages(ts []BakeTarget) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Stage
	}
	return out
}

// targetNodes are the graph nodes of a bake's targets, each after the stage
// it builds (a stage several targets build: one node, an edge to each).
func targetNodes(stages []model.Stage, ts []BakeTarget) []graph.Node {
	var nodes []graph.Node
	for _, t := range ts {
		stage := t.Stage
		if stage == "" && len(stages) > 0 {
			stage = stages[len(stages)-1].Name
		}
		nodes = append(nodes, graph.Node{ID: "\x00target:" + t.Name, Deps: []string{stage}})
	}
	return nodes
}

// targetLabel is the state of target t's node: its stage's until the bake
// is over, then the bake's.
func (m *Model) targetLabel(t int) (state, string) {
	st := m.imageState()
	if want := m.opts.Targets[t].Stage; !m.done && len(m.build.Stages) > 0 {
		if want == "" {
			want = m.build.Stages[len(m.build.Stages)-1].Name
		}
		for _, s := range m.build.Stages {
			if s.Name == want {
				st = m.stageInfo(s).state
			}
		}
	}
	return st, m.style(st).Render(stateWords[st])
}

// bakeStatus is a bake's status after err; BakeEnd fills its fold from the targets' records.
func (m *Model) bakeStatus(err error) string {
	if m.opts.BakeEnd != nil {
		m.opts.BakeEnd(m.build)
	}
	switch {
	case err == nil:
		return model.StatusOK
	case errors.Is(err, context.Canceled):
		return model.StatusCanceled
	}
	return model.StatusError
}
