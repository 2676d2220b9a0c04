package build

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// RunTargets builds each of targets as its own build of p's inputs,
// concurrently (BuildKit shares the work and the cache between them), and
// returns the records by target. Each build is recorded in the history as
// an internal one (model.InternalStageSize: not listed, not build:last,
// not why's previous build); none carries p's outputs (tags, push, load,
// -o, cache-to).
func RunTargets(ctx context.Context, b *builder.Builder, p *Prepared, paths state.Paths, targets []string) (map[string]*model.Build, error) {
	var mu sync.Mutex
	out := map[string]*model.Build{}
	last := p.Plan.Stages[len(p.Plan.Stages)-1].Name
	for _, t := range targets {
		if !p.Plan.Named(t) && t != last {
			return nil, fmt.Errorf("stage %s has no name, and BuildKit builds only named stages as targets: name it (FROM … AS name) to measure it", t)
		}
	}
	eg, ectx := errgroup.WithContext(ctx)
	eg.SetLimit(4)
	for _, t := range targets {
		eg.Go(func() error {
			pt := p.InputsOnly()
			pt.Target = t
			pt.redactor = p.redactor.ForBuild() // its own log streams
			if !p.Plan.Named(t) {
				pt.Target = "" // the last stage, unnamed: the default target
			}
			pt.internal = model.InternalStageSize // not one of the user's builds
			rec, err := Run(ectx, b, pt, paths, nil)
			if err != nil {
				return fmt.Errorf("building stage %s: %w", t, err)
			}
			mu.Lock()
			out[t] = rec
			mu.Unlock()
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
