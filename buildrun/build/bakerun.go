package build

import (
	"context"
	"fmt"
	"sync"

	"github.com/moby/buildkit/client"
	"golang.org/x/sync/errgroup"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
)

// Check checks every target's options against builder b, as Prepared.Check
// does for one build.
func (bk *Bake) Check(ctx context.Context, b *builder.Builder) error {
	for _, t := range bk.Targets {
		if err := t.Check(ctx, b); err != nil {
			return fmt.Errorf("bake target %s: %w", t.Name, err)
		}
	}
	return nil
}

// RunBake builds every target of bk on b at once, one solve each: BuildKit
// runs a vertex that several targets share (a common base stage) once and
// reports it to each. Each target gets its own build record in the
// history, marked with the bake's ID and the target's name. onStatus, if
// not nil, receives every status update with the target it belongs to,
// what several targets' streams report (a shared vertex, its logs) once,
// with the first target that reported it; it may be called from several
// goroutines at once.
//
// The records are returned by target, those of failed targets too; the
// error is the first target's failure.
func RunBake(ctx context.Context, b *builder.Builder, bk *Bake, paths state.Paths, onStatus func(target string, s *client.SolveStatus)) (map[string]*model.Build, error) {
	for _, t := range bk.Targets {
		if t.Load && b.Docker == nil { // dialled once here, not by each target's Run at once
			dc, err := engine.Connect(ctx)
			if err != nil {
				return nil, fmt.Errorf("--load puts the images in a Docker engine: %w", err)
			}
			b.Docker = dc
		}
	}
	ref := history.NewID()
	covered := stagesCovered(bk)
	var mu sync.Mutex
	out := map[string]*model.Build{}
	var eg errgroup.Group // a failed target does not cancel the others, as in buildx
	dedup := fold.NewStatusDedup()
	for _, t := range bk.Targets {
		var cb func(*client.SolveStatus)
		if onStatus != nil {
			cb = func(s *client.SolveStatus) { // a shared vertex once, as buildx bake shows it
				if s = dedup.Filter(s); s != nil {
					onStatus(t.Name, s)
				}
			}
		}
		p := *t.Prepared
		p.bake = &model.BakeRef{ID: ref, Target: t.Name}
		p.siblingsCheck = covered[p.DockerfileAbs]
		eg.Go(func() error {
			rec, err := Run(ctx, b, &p, paths, cb)
			if rec != nil {
				mu.Lock()
				out[t.Name] = rec
				mu.Unlock()
			}
			if err != nil {
				return fmt.Errorf("target %s: %w", t.Name, err)
			}
			return nil
		})
	}
	err := eg.Wait()
	return out, err
}

// stagesCovered says, by Dockerfile, whether the bake's targets together
// build every stage of it: then each stage's checks are reported by the
// build of a target that reaches it, and no target needs the lint
// subrequest for the stages it leaves out.
func stagesCovered(bk *Bake) map[string]bool {
	reached := map[string]map[int]bool{}
	stages := map[string]int{}
	for _, t := range bk.Targets {
		p := t.Prepared
		if p.Plan == nil {
			continue
		}
		need, err := p.Plan.Reachable(p.Target)
		if err != nil {
			continue
		}
		if reached[p.DockerfileAbs] == nil {
			reached[p.DockerfileAbs] = map[int]bool{}
		}
		for _, i := range need {
			reached[p.DockerfileAbs][i] = true
		}
		stages[p.DockerfileAbs] = len(p.Plan.Stages)
	}
	out := map[string]bool{}
	for df, r := range reached {
		out[df] = len(r) == stages[df]
	}
	return out
}
