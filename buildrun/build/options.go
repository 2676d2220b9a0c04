// Package build runs Dockerfile builds: options and their checks per
// builder, the solve (status, export, record, report, metadata), several
// targets, bake, and the Dockerfile frontend's lint.
package build

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	bkbuild "github.com/moby/buildkit/cmd/buildctl/build"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/buildrun/secrets"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// Options are the flags of `buildscope build`, named as in
// `docker buildx build`: what the build takes, and where its result goes.
type Options struct {
	Inputs
	Outputs
}

// Inputs are what a build takes: every build buildscope runs on the
// user's behalf (measuring stages, a diff's run) takes these and nothing
// else.
type Inputs struct {
	ContextDir    string
	Dockerfile    string // path; default ContextDir/Dockerfile
	Target        string
	BuildArgs     []string // KEY=VALUE, or KEY to take the value from the environment
	Platforms     []string
	Secrets       []string
	SSH           []string
	BuildContexts []string // NAME=VALUE
	NoCache       bool
	NoCacheFilter []string
	CacheFrom     []string
	// SkipInputs skips recording what goes into each step (for measuring
	// what the recording costs); `why` cannot explain such a build.
	SkipInputs bool
}

// Outputs are where the result of the build the user asked for goes.
// They are written exactly once, by that build; internal builds have
// none (see Prepared.InputsOnly).
type Outputs struct {
	Tags         []string
	Destinations []string // -o/--output
	Push         bool
	Load         bool
	CacheTo      []string
}

// Prepared is a build checked and ready to run: paths resolved, the
// Dockerfile parsed, the target known.
type Prepared struct {
	Options
	ContextAbs    string
	DockerfileAbs string
	Args          map[string]string
	Plan          *dockerfile.Plan
	redactor      *secrets.Redactor
	platforms     []ocispecs.Platform // --platform, parsed
	bake          *model.BakeRef      // the bake this build is a target of
	internal      string              // Build.Internal: why buildscope runs it
	// frontendImage says a `# syntax=` directive or BUILDKIT_SYNTAX names
	// the Dockerfile frontend: an image, not the builder's own
	frontendImage bool
	// siblingsCheck says the other targets of the bake build the stages
	// this one leaves out, and so report their checks
	siblingsCheck bool
	// Solver, when set, runs the solve in place of client.Solve (buildscope
	// debug's gateway solve, which opens a shell in a failed step).
	Solver Solver
}

// Solver runs a build's solve as client.Solve would, and says afterwards,
// in one line for the record, what else it did ("" for nothing).
type Solver interface {
	Solve(ctx context.Context, c *client.Client, opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error)
	Note() string
}

// Platform is the platform whose image of a multi-platform result is
// measured or run on p's behalf: the one --platform names, else "" (the
// host's).
func (p *Prepared) Platform() string {
	if len(p.platforms) == 1 {
		return platforms.Format(p.platforms[0])
	}
	return ""
}

// InputsOnly is p without the user's outputs: what an internal build (a
// stage measured as its own target, a diff's run) runs, so that tags,
// pushes, loads, -o directories and cache exports are never touched by a
// build the user did not ask for. Its result stays in buildscope's store.
func (p *Prepared) InputsOnly() *Prepared {
	q := *p
	q.Outputs = Outputs{}
	return &q
}

// Internal is p's inputs built again on the user's behalf, for kind
// (model.InternalStepShell…): no outputs, its own log streams, recorded
// as internal; its Solver is the caller's to set.
func (p *Prepared) Internal(kind string) *Prepared {
	q := p.InputsOnly()
	q.internal, q.Solver = kind, nil
	if p.redactor != nil {
		q.redactor = p.redactor.ForBuild()
	}
	return q
}

// Prepare checks the options against the file system and parses the
// Dockerfile, so that bad input fails before any builder is contacted.
func Prepare(o Options) (*Prepared, error) {
	p := &Prepared{Options: o}
	ctxDir, err := filepath.Abs(o.ContextDir)
	if err != nil {
		return nil, fmt.Errorf("resolving build context %s: %w", o.ContextDir, err)
	}
	fi, err := os.Stat(ctxDir)
	if err != nil {
		return nil, fmt.Errorf("build context %s does not exist: pass the directory that holds your sources", o.ContextDir)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("build context %s is not a directory", o.ContextDir)
	}
	p.ContextAbs = ctxDir
	df := o.Dockerfile
	if df == "" {
		df = filepath.Join(ctxDir, "Dockerfile")
	}
	if p.DockerfileAbs, err = filepath.Abs(df); err != nil {
		return nil, fmt.Errorf("resolving Dockerfile %s: %w", df, err)
	}
	data, err := os.ReadFile(p.DockerfileAbs)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no Dockerfile at %s: create one or name it with -f/--file", df)
		}
		return nil, fmt.Errorf("reading Dockerfile %s: %w", df, err)
	}
	if p.Args, err = parseBuildArgs(o.BuildArgs); err != nil {
		return nil, err
	}
	_, _, _, syntax := parser.DetectSyntax(data)
	p.frontendImage = syntax || p.Args["BUILDKIT_SYNTAX"] != ""
	plats, err := dockerfile.ParsePlatforms(o.Platforms)
	if err != nil {
		return nil, err
	}
	p.platforms = plats
	auto := dockerfile.AutoArgs{Stage: o.Target}
	if len(plats) > 0 {
		auto.Target = &plats[0]
	}
	if p.Plan, err = dockerfile.ParseFor(df, data, p.Args, auto); err != nil {
		return nil, err
	}
	if _, err := p.Plan.Reachable(o.Target); err != nil {
		return nil, err
	}
	if p.redactor, err = secrets.NewRedactor(o.Secrets); err != nil {
		return nil, err
	}
	if o.Push && len(o.Tags) == 0 {
		return nil, errors.New("--push needs an image name: add -t REGISTRY/NAME:TAG")
	}
	return p, nil
}

func parseBuildArgs(args []string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		if k == "" {
			return nil, fmt.Errorf("invalid --build-arg %q: use KEY=VALUE", a)
		}
		if !ok {
			var set bool
			if v, set = os.LookupEnv(k); !set {
				continue // like docker: an unset variable is not passed
			}
		}
		out[k] = v
	}
	return out, nil
}

// frontendAttrs are the dockerfile.v0 frontend's options for this build,
// the local directories it syncs, and the OCI layouts it reads as
// session content stores (oci-layout:// build contexts).
func (p *Prepared) frontendAttrs() (attrs, locals map[string]string, stores map[string]content.Store, err error) {
	attrs = map[string]string{"filename": filepath.Base(p.DockerfileAbs)}
	locals = map[string]string{}
	stores = map[string]content.Store{}
	if p.Target != "" {
		attrs["target"] = p.Target
	}
	for k, v := range p.Args {
		attrs["build-arg:"+k] = v
	}
	if len(p.Platforms) > 0 {
		attrs["platform"] = strings.Join(p.Platforms, ",")
	}
	if p.NoCache {
		attrs["no-cache"] = ""
	} else if len(p.NoCacheFilter) > 0 {
		attrs["no-cache"] = strings.Join(p.NoCacheFilter, ",")
	}
	for _, bc := range p.BuildContexts {
		name, val, ok := strings.Cut(bc, "=")
		if !ok || name == "" || val == "" {
			return nil, nil, nil, fmt.Errorf("invalid --build-context %q: use NAME=VALUE (a directory, docker-image://REF, oci-layout://DIR, https://…)", bc)
		}
		if strings.HasPrefix(val, "oci-layout://") {
			attr, id, store, err := ociLayoutContext(name, val)
			if err != nil {
				return nil, nil, nil, err
			}
			attrs["context:"+name], stores[id] = attr, store
			continue
		}
		if strings.Contains(val, "://") {
			attrs["context:"+name] = val
			continue
		}
		dir, err := filepath.Abs(val)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("resolving --build-context %s: %w", bc, err)
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return nil, nil, nil, fmt.Errorf("--build-context %s: %s is not a directory", name, val)
		}
		attrs["context:"+name] = "local:" + name
		locals[name] = dir
	}
	return attrs, locals, stores, nil
}

// cacheOptions parses --cache-from/--cache-to; a bare value is a registry
// reference, as in buildx.
func cacheOptions(from, to []string) (imports, exports []client.CacheOptionsEntry, err error) {
	bare := func(v []string) []string {
		out := make([]string, len(v))
		for i, s := range v {
			if !strings.Contains(s, "=") {
				s = "type=registry,ref=" + s
			}
			out[i] = s
		}
		return out
	}
	if imports, err = bkbuild.ParseImportCache(bare(from)); err != nil {
		return nil, nil, fmt.Errorf("invalid --cache-from: %w", err)
	}
	if exports, err = bkbuild.ParseExportCache(bare(to)); err != nil {
		return nil, nil, fmt.Errorf("invalid --cache-to: %w", err)
	}
	return imports, exports, nil
}

// userExports parses -o/--output; a bare value is a local directory ("-"
// a tar on stdout), as in buildx.
func userExports(outputs []string) ([]client.ExportEntry, error) {
	var specs []string
	for _, o := range outputs {
		switch {
		case o == "-":
			specs = append(specs, "type=tar,dest=-")
		case !strings.Contains(o, "="):
			specs = append(specs, "type=local,dest="+o)
		default:
			specs = append(specs, o)
		}
	}
	ex, err := bkbuild.ParseOutput(specs)
	if err != nil {
		return nil, fmt.Errorf("invalid --output: %w", err)
	}
	return ex, nil
}
