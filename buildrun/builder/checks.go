package builder

import (
	"context"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/sirupsen/logrus"
	"golang.org/x/mod/semver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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

// Checks asks b, the first time, whether its built-in Dockerfile frontend
// runs BuildKit's checks: one Info call (see checksFrom).
func (b *Builder) Checks(ctx context.Context) (why string, lint bool) {
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

// MountsUnnamed says whether b's disk usage cannot tell one cache mount
// from another of the same target (see checksCap.old); asked with checks,
// once.
func (b *Builder) MountsUnnamed(ctx context.Context) bool {
	b.Checks(ctx)
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
