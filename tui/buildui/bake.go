package buildui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/graph"
)

// BakeTarget is one target of a bake the UI shows: its name, and the
// Dockerfile stage it builds ("" for the last).
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

// targetNodes are the graph nodes of a bake's targets, each after the
// stage it builds: a stage several targets build is one node with an edge
// to each of them.
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

// bakeStatus is the status of a bake that ended with err (one record per
// target holds each target's own).
func bakeStatus(err error) string {
	switch {
	case err == nil:
		return model.StatusOK
	case errors.Is(err, context.Canceled):
		return model.StatusCanceled
	}
	return model.StatusError
}

// bakeDone gives the bake's fold what its targets' records hold and the
// fold cannot, so that its step lines read as a single build's: each
// step's size and cache mounts now, and the reasons its steps ran (new,
// ctx, …) from the command it returns.
func (m *Model) bakeDone() tea.Cmd {
	if m.opts.BakeRecords == nil {
		return nil
	}
	recs := m.opts.BakeRecords()
	annotateBake(m.build, recs)
	if m.opts.Why == nil || len(recs) == 0 {
		return nil
	}
	explain := m.opts.Why
	return func() tea.Msg {
		var exs []*why.Explanation
		for _, r := range recs {
			ex, err := explain(r)
			if err != nil {
				return whyMsg{nil, err}
			}
			exs = append(exs, ex)
		}
		return whyMsg{mergeWhy(exs), nil}
	}
}

// annotateBake copies into b, a bake's fold, each step's size from the
// targets' records recs (a step is the same vertex in every target that
// builds it: matched by digest) and their cache mounts, each once.
func annotateBake(b *model.Build, recs []*model.Build) {
	sizes := map[string]*int64{}
	type mountKey struct {
		stage, id string
		line      int
	}
	mounts := map[mountKey]bool{}
	for _, cm := range b.CacheMounts {
		mounts[mountKey{cm.Stage, cm.ID, cm.Line}] = true
	}
	for _, r := range recs {
		if r == nil {
			continue
		}
		for _, s := range r.Stages {
			for _, st := range s.Steps {
				if st.SizeBytes != nil && sizes[st.Digest] == nil {
					v := *st.SizeBytes
					sizes[st.Digest] = &v
				}
			}
		}
		for _, cm := range r.CacheMounts {
			if k := (mountKey{cm.Stage, cm.ID, cm.Line}); !mounts[k] {
				mounts[k] = true
				b.CacheMounts = append(b.CacheMounts, cm)
			}
		}
	}
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			st := &b.Stages[si].Steps[k]
			if v, ok := sizes[st.Digest]; ok && st.SizeBytes == nil {
				st.SizeBytes = v
			}
		}
	}
}

// mergeWhy is one explanation of a bake's steps from its targets' (each
// against that target's previous build): a step the targets share is
// listed once, with the first target's reason.
func mergeWhy(exs []*why.Explanation) *why.Explanation {
	out := &why.Explanation{Misses: []why.Miss{}, ChangedHits: []why.ChangedHit{}}
	seen := map[string]bool{}
	for _, ex := range exs {
		if ex == nil {
			continue
		}
		if out.Source == "" {
			out.Source = ex.Source
		}
		for _, mi := range ex.Misses {
			if !seen[mi.Stage+"\x00"+mi.Step] {
				seen[mi.Stage+"\x00"+mi.Step] = true
				out.Misses = append(out.Misses, mi)
			}
		}
		out.ChangedHits = append(out.ChangedHits, ex.ChangedHits...)
	}
	return out
}
