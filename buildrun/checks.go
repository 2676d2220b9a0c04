package buildrun

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/frontend/subrequests/lint"
	"github.com/moby/buildkit/session"
	"github.com/sirupsen/logrus"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/mod/semver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/buildscope/buildscope/model"
)

// checksCap is what a builder's own Dockerfile frontend says about
// BuildKit's checks, asked once per connection (not per build or step).
type checksCap struct {
	once sync.Once
	why  string // why the frontend has none
	lint bool   // the frontend answers the lint subrequest
	// old says the builder has no Info (BuildKit before 0.11, as in the
	// Docker engine 20.10), whose disk usage names a cache mount by its
	// target and the command that made it, not its id, and keeps the size
	// it measured when the mount was first filled
	old bool
}

// checks asks b, the first time, whether its built-in Dockerfile frontend
// runs BuildKit's checks: one Info call (see checksFrom).
func (b *Builder) checks(ctx context.Context) (why string, lint bool) {
	b.checksCap.once.Do(func() {
		info, err := b.Client.Info(ctx)
		if err != nil && status.Code(err) != codes.Unimplemented {
			logrus.Debugf("asking the builder its version: %v", err)
		}
		b.checksCap.why, b.checksCap.lint = checksFrom(info, err)
		b.checksCap.old = status.Code(err) == codes.Unimplemented
	})
	return b.checksCap.why, b.checksCap.lint
}

// mountsUnnamed says whether b's disk usage cannot tell one cache mount
// from another of the same target (see checksCap.old); asked with checks,
// once.
func (b *Builder) mountsUnnamed(ctx context.Context) bool {
	b.checks(ctx)
	return b.checksCap.old
}

// checksFrom reads what a builder's Info answer says of its Dockerfile
// frontend's checks (its linter came with Dockerfile frontend 1.8,
// BuildKit 0.14): why says why it has none ("" when it has them or the
// answer does not say); lint is true only when the version says the lint
// subrequest is there (an older frontend would take it for a build).
func checksFrom(info *client.Info, err error) (why string, lint bool) {
	switch {
	case status.Code(err) == codes.Unimplemented:
		// Info came with BuildKit 0.11; the Docker engine 20.10's is 0.8
		return "its BuildKit is older than 0.11, and the Dockerfile frontend's checks came with BuildKit 0.14 (Dockerfile 1.8): use --builder embedded", false
	case err != nil || info == nil:
		return "", false
	case info.BuildkitVersion.DockerfileVersion != "":
		v := "v" + info.BuildkitVersion.DockerfileVersion
		if semver.IsValid(v) && semver.Compare(v, "v1.8.0") < 0 {
			return "its Dockerfile frontend is " + info.BuildkitVersion.DockerfileVersion + ", and checks came with 1.8: use --builder embedded", false
		}
		return "", semver.IsValid(v)
	}
	v := info.BuildkitVersion.Version
	if !semver.IsValid(v) || semver.Compare(v, "v0.0.0") == 0 { // a build from source says v0.0.0+unknown
		return "", false
	}
	if semver.Compare(v, "v0.14.0") < 0 {
		return "its BuildKit is " + v + ", and the Dockerfile frontend's checks came with BuildKit 0.14: use --builder embedded", false
	}
	return "", true
}

// lintDockerfile runs the Dockerfile frontend's lint subrequest (what
// docker buildx build --check runs) with the build's frontend options and
// sources, as a build BuildKit does not record in its history. It checks
// every stage, where a build reports the checks of the stages it builds.
func lintDockerfile(ctx context.Context, b *Builder, attrs map[string]string, mounts map[string]fsutil.FS, stores map[string]content.Store, attach []session.Attachable) ([]model.Warning, error) {
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
