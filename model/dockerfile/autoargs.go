package dockerfile

import (
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// AutoArgs are the inputs of the args the Dockerfile frontend defines by
// itself in the global scope: the build and target platforms and the
// target stage. A zero AutoArgs means the host's platform for both and the
// default (last) stage, as on a local builder without --platform.
type AutoArgs struct {
	Build  *ocispecs.Platform // the builder's platform; nil: the host's
	Target *ocispecs.Platform // --platform (the first); nil: Build
	Stage  string             // --target; "" is "default"
}

// values are the automatic args by name, computed as BuildKit's
// dockerfile2llb defaultArgs computes them.
func (a AutoArgs) values() map[string]string {
	bp := platforms.DefaultSpec()
	if a.Build != nil {
		bp = *a.Build
	}
	tp := bp
	if a.Target != nil {
		tp = *a.Target
	}
	stage := a.Stage
	if stage == "" {
		stage = "default"
	}
	return map[string]string{
		"BUILDPLATFORM":   platforms.Format(bp),
		"BUILDOS":         bp.OS,
		"BUILDOSVERSION":  bp.OSVersion,
		"BUILDARCH":       bp.Architecture,
		"BUILDVARIANT":    bp.Variant,
		"TARGETPLATFORM":  platforms.FormatAll(tp),
		"TARGETOS":        tp.OS,
		"TARGETOSVERSION": tp.OSVersion,
		"TARGETARCH":      tp.Architecture,
		"TARGETVARIANT":   tp.Variant,
		"TARGETSTAGE":     stage,
	}
}

// ParsePlatforms parses --platform values (each may hold a comma-separated
// list, as in buildx) and refuses one without an OS or architecture, so a
// typo fails before any builder is contacted.
func ParsePlatforms(specs []string) ([]ocispecs.Platform, error) {
	var out []ocispecs.Platform
	for _, spec := range specs {
		for _, s := range strings.Split(spec, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			p, err := platforms.Parse(s)
			if err != nil {
				return nil, fmt.Errorf("invalid --platform %q: %v (use OS/ARCH[/VARIANT], e.g. linux/amd64)", s, err)
			}
			if p.OS == "" || p.Architecture == "" {
				return nil, fmt.Errorf("invalid --platform %q: name both OS and architecture, e.g. linux/arm64", s)
			}
			out = append(out, platforms.Normalize(p))
		}
	}
	return out, nil
}
