package buildrun

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/engine"
)

// buildkitModule is BuildKit's Go module, whose client buildscope links.
const buildkitModule = "github.com/moby/buildkit"

// Versions is what `buildscope --version` and `version --json` report:
// buildscope's version, the BuildKit client module it was built with,
// and, when a builder answers, that builder's BuildKit.
type Versions struct {
	Buildscope     string `json:"buildscope"`
	BuildKitClient string `json:"buildkit_client"`
	Go             string `json:"go"`
	// Builder is the builder that answered (nil: none did, see
	// BuilderUnknown); it is never started to be asked.
	Builder *BuilderVersion `json:"builder,omitempty"`
	// BuilderUnknown says why no builder's version is given.
	BuilderUnknown string `json:"builder_unknown,omitempty"`
}

// BuilderVersion is a builder's name (its --builder value) and the
// version of its BuildKit ("" when it does not say, see Unknown).
type BuilderVersion struct {
	Name     string `json:"name"`
	BuildKit string `json:"buildkit,omitempty"`
	Revision string `json:"revision,omitempty"`
	Unknown  string `json:"unknown,omitempty"`
}

// ReadVersions reads buildscope's and its BuildKit client's versions from
// the binary's build information, and asks the builder spec names (as
// --builder does; "" the default one) its version, without starting the
// embedded builder when it is stopped.
func ReadVersions(ctx context.Context, spec string, o builder.ConnectOptions) *Versions {
	v := &Versions{Buildscope: "unknown", BuildKitClient: "unknown", Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.Buildscope = mainVersion(bi)
		for _, d := range bi.Deps {
			if d.Path == buildkitModule {
				v.BuildKitClient = d.Version
				if d.Replace != nil {
					v.BuildKitClient = d.Replace.Version + " (replacing " + d.Version + ")"
				}
			}
		}
	}
	v.Builder, v.BuilderUnknown = builderVersion(ctx, spec, o)
	return v
}

// mainVersion is the main module's version; a build from a work tree
// ("(devel)") is named by its VCS revision when the build recorded one.
func mainVersion(bi *debug.BuildInfo) string {
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "(devel)"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "(devel) " + rev
}

// builderVersion asks the builder spec names its version: the default
// one is BUILDKIT_HOST, the Docker engine when one answers, else the
// embedded builder, which is asked only when it runs.
func builderVersion(ctx context.Context, spec string, o builder.ConnectOptions) (*BuilderVersion, string) {
	if spec == "" && o.Env.Host == "" {
		if dc, err := engine.Connect(ctx); err == nil {
			dc.Close()
			spec = builder.KindDocker
		} else {
			spec = builder.KindEmbedded
		}
	}
	if spec == builder.KindEmbedded {
		st := o.Embedded().Status(ctx)
		if !st.Running {
			return nil, "the embedded builder is not running (`buildscope builder start` starts it)"
		}
		return &BuilderVersion{Name: builder.KindEmbedded, BuildKit: st.Version}, ""
	}
	b, err := builder.Connect(ctx, spec, o)
	if err != nil {
		return nil, err.Error()
	}
	defer b.Close()
	bv := &BuilderVersion{Name: b.Name()}
	info, err := b.Client.Info(ctx)
	switch {
	case status.Code(err) == codes.Unimplemented:
		bv.Unknown = "its BuildKit is older than 0.11, which added the version query"
	case err != nil:
		bv.Unknown = err.Error()
	default:
		bv.BuildKit, bv.Revision = info.BuildkitVersion.Version, info.BuildkitVersion.Revision
	}
	return bv, ""
}

// Text is the versions as `buildscope --version` prints them.
func (v *Versions) Text() string {
	var w strings.Builder
	fmt.Fprintf(&w, "buildscope %s\nBuildKit client %s (%s)\n", v.Buildscope, v.BuildKitClient, v.Go)
	switch b := v.Builder; {
	case b == nil:
		fmt.Fprintf(&w, "builder: unknown (%s)\n", v.BuilderUnknown)
	case b.Unknown != "":
		fmt.Fprintf(&w, "builder %s: BuildKit unknown (%s)\n", b.Name, b.Unknown)
	default:
		fmt.Fprintf(&w, "builder %s: BuildKit %s\n", b.Name, b.BuildKit)
	}
	return w.String()
}
