package buildctx

import (
	"context"

	"github.com/buildscope/buildscope/model/dockerfile"
)

// Prewarm hashes, ahead of time, the context files every instruction of
// the stages the target needs reads (COPY, ADD, bind mounts, named
// contexts), so that recording the inputs after the solve finds them
// digested: run while the build runs, the walk of a large context and the
// reads of changed files cost the build nothing when the solve takes
// longer. Errors are left for the recording to report; once ctx is done
// it returns.
func (hs Hashers) Prewarm(ctx context.Context, plan *dockerfile.Plan, target string) {
	if plan == nil {
		return
	}
	stages, err := plan.Reachable(target)
	if err != nil {
		return
	}
	for _, si := range stages {
		for _, ins := range plan.Stages[si].Instructions {
			if ctx.Err() != nil {
				return
			}
			if len(ins.Sources) > 0 {
				_, _ = hs.Hash(ctx, "", ins.Sources)
			}
			for name, srcs := range ins.Named {
				_, _ = hs.Hash(ctx, name, srcs)
			}
		}
	}
}
