package buildrun

import (
	"context"
	"sync"

	"github.com/sirupsen/logrus"
	"golang.org/x/mod/semver"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// checksCap is what a builder's own Dockerfile frontend says about
// BuildKit's checks, asked once per connection (not per build or step).
type checksCap struct {
	once sync.Once
	why  string
}

// checksUnavailable says why b's built-in Dockerfile frontend runs no
// checks (its linter came with Dockerfile frontend 1.8, BuildKit 0.14),
// or "" when it runs them or b does not say: one Info call, the first
// time it is asked.
func (b *Builder) checksUnavailable(ctx context.Context) string {
	b.checks.once.Do(func() {
		info, err := b.Client.Info(ctx)
		switch {
		case status.Code(err) == codes.Unimplemented:
			// Info came with BuildKit 0.11; the Docker engine 20.10's is 0.8
			b.checks.why = "its BuildKit is older than 0.11, and the Dockerfile frontend's checks came with BuildKit 0.14 (Dockerfile 1.8): use --builder embedded"
		case err != nil:
			logrus.Debugf("asking the builder its version: %v", err)
		case info.BuildkitVersion.DockerfileVersion != "":
			if v := "v" + info.BuildkitVersion.DockerfileVersion; semver.IsValid(v) && semver.Compare(v, "v1.8.0") < 0 {
				b.checks.why = "its Dockerfile frontend is " + info.BuildkitVersion.DockerfileVersion + ", and checks came with 1.8: use --builder embedded"
			}
		default:
			if v := info.BuildkitVersion.Version; semver.IsValid(v) && semver.Compare(v, "v0.14.0") < 0 {
				b.checks.why = "its BuildKit is " + v + ", and the Dockerfile frontend's checks came with BuildKit 0.14: use --builder embedded"
			}
		}
	})
	return b.checks.why
}
