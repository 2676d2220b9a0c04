package build

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/session"
	"github.com/tonistiigi/fsutil"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/model"
)

// lintDockerfile runs the Dockerfile frontend's lint subrequest (what
// docker buildx build --check runs) with the build's frontend options and
// sources, as a build BuildKit does not record in its history. It checks
// every stage, where a build reports the checks of the stages it builds.
func lintDockerfile(ctx context.Context, b *builder.Builder, attrs map[string]string, mounts map[string]fsutil.FS, stores map[string]content.Store, attach []session.Attachable) ([]model.Warning, error) {
	opt := client.SolveOpt{LocalMounts: mounts, OCIStores: stores, Session: attach, Internal: true}
	var res lint.LintResults
	_, err := b.Client.Build(ctx, opt, "buildscope", func(ctx context.Context, c gateway.Client) (*gateway.Result, error) {
		fo := maps.Clone(attrs)
		fo["requestid"] = lint.RequestLint
		fo["frontend.caps"] = "moby.buildkit.frontend.subrequests"
		r, err := c.Solve(ctx, gateway.SolveRequest{Frontend: "dockerfile.v0", FrontendOpt: fo})
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal(r.Metadata["result.json"], &res); err != nil {
			return nil, fmt.Errorf("reading the lint result: %w", err)
		}
		return gateway.NewResult(), nil
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("linting the Dockerfile: %w", err)
	}
	out := make([]model.Warning, 0, len(res.Warnings))
	for _, w := range res.Warnings {
		line := 0
		if w.Location != nil && len(w.Location.Ranges) > 0 && w.Location.Ranges[0].Start != nil {
			line = int(w.Location.Ranges[0].Start.Line)
		}
		// the text the build's own warning has, so that the two are one
		out = append(out, model.Warning{Short: linter.LintFormatShort(w.RuleName, w.Detail, line), Line: line, URL: w.URL})
	}
	return out, nil
}

// unreachedStages says whether the Dockerfile has stages the build of
// p's target does not reach, whose checks a build does not report (and
// no other target of its bake builds).
func (p *Prepared) unreachedStages() bool {
	if p.siblingsCheck {
		return false
	}
	need, err := p.Plan.Reachable(p.Target)
	return err == nil && len(need) < len(p.Plan.Stages)
}
