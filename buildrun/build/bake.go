package build

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	"github.com/docker/buildx/bake"
	"github.com/docker/buildx/util/buildflags"

	"github.com/buildscope/buildscope/buildrun/bakecheck"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// BakeOptions are the flags of `buildscope bake`, named as in `docker
// buildx bake`.
type BakeOptions struct {
	// Files are the bake files (-f): HCL, JSON or Compose; none means the
	// names buildx looks for in the working directory.
	Files []string
	// Targets are the targets and groups to build; none means "default".
	Targets []string
	// Set are --set overrides, TARGET.KEY=VALUE as in buildx.
	Set  []string
	Load bool
	Push bool
}

// Bake is a bake definition read by buildx's own parser, each target's
// build prepared as `buildscope build` prepares one.
type Bake struct {
	// Targets are the targets to build, by name.
	Targets []BakeTarget
	// Notes are what buildscope does not do of the definition (one line
	// each), to show before the builds start.
	Notes  []string
	groups map[string]*bake.Group
	defs   map[string]*bake.Target
}

// BakeTarget is one target of a bake, ready to build.
type BakeTarget struct {
	Name string
	*Prepared
}

// ReadBake reads the bake files of o, resolves its targets with the
// overrides and the environment's variables, and prepares each target's
// build: bad input fails before any builder is contacted.
func ReadBake(ctx context.Context, o BakeOptions) (*Bake, error) {
	files, err := bake.ReadLocalFiles(o.Files, os.Stdin, nil)
	if err != nil {
		return nil, fmt.Errorf("reading bake files: %w", err)
	}
	if len(files) == 0 {
		return nil, errors.New("no bake file here (docker-bake.hcl, docker-bake.json, compose.yaml, docker-compose.yml): name one with -f")
	}
	checked := make([]bakecheck.File, len(files))
	for i, f := range files {
		checked[i] = bakecheck.File{Name: f.Name, Data: f.Data}
	}
	if err := bakecheck.Files(checked); err != nil {
		return nil, err
	}
	targets := append([]string(nil), o.Targets...)
	if len(targets) == 0 {
		targets = []string{"default"}
	}
	overrides := append([]string(nil), o.Set...)
	if o.Push {
		overrides = append(overrides, "*.push=true")
	}
	if o.Load {
		overrides = append(overrides, "*.load=true")
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, fmt.Errorf("reading the working directory: %w", err)
	}
	defaults := map[string]string{
		"BAKE_CMD_CONTEXT":    wd,
		"BAKE_LOCAL_PLATFORM": platforms.Format(platforms.DefaultSpec()),
	}
	// buildx records there the paths --set asks to read and write (its
	// entitlements), and dereferences it: nil panicked on output=,
	// cache-to= and secrets= overrides
	defs, groups, err := bake.ReadTargets(ctx, files, targets, overrides, defaults, nil, &bake.EntitlementConf{})
	if err != nil && len(o.Targets) == 0 && strings.Contains(err.Error(), "failed to find target default") {
		names, _ := bake.ListTargets(files)
		sort.Strings(names)
		return nil, fmt.Errorf("the bake files have no default target or group: name one of %s", strings.Join(names, ", "))
	}
	if err != nil {
		if cyc := bakecheck.GroupCycle(bakeGroups(files), targets); cyc != "" {
			return nil, fmt.Errorf("bake group %s includes itself (%s): a group may name a group, but never one that names it back", strings.SplitN(cyc, " → ", 2)[0], cyc)
		}
		return nil, fmt.Errorf("reading bake targets: %w", err)
	}
	bk := &Bake{groups: groups, defs: defs}
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		opts, notes, err := bakeOptions(defs[n])
		if err != nil {
			return nil, fmt.Errorf("bake target %s: %w", n, err)
		}
		for _, note := range notes {
			bk.Notes = append(bk.Notes, "target "+n+": "+note)
		}
		p, err := Prepare(opts)
		if err != nil {
			return nil, fmt.Errorf("bake target %s: %w", n, err)
		}
		bk.Targets = append(bk.Targets, BakeTarget{Name: n, Prepared: p})
	}
	return bk, nil
}

// bakeGroups is each group of files with its members, none when buildx
// cannot parse them.
func bakeGroups(files []bake.File) map[string][]string {
	c, _, err := bake.ParseFiles(files, nil, nil)
	if err != nil {
		return nil
	}
	groups := map[string][]string{}
	for _, g := range c.Groups {
		groups[g.Name] = append(groups[g.Name], g.Targets...)
	}
	return groups
}

// Print writes the resolved definition as JSON, the shape `docker buildx
// bake --print` writes.
func (bk *Bake) Print(w io.Writer) error {
	def := struct {
		Group  map[string]*bake.Group  `json:"group,omitempty"`
		Target map[string]*bake.Target `json:"target"`
	}{Group: bk.groups, Target: bk.defs}
	data, err := json.MarshalIndent(def, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the bake definition: %w", err)
	}
	_, err = fmt.Fprintln(w, string(data))
	return err
}

// bakeOptions turns a resolved bake target into the options of one build,
// with notes on what of the target buildscope does not apply.
func bakeOptions(t *bake.Target) (o Options, notes []string, err error) {
	ctxDir := "."
	if t.Context != nil {
		ctxDir = *t.Context
	}
	if strings.Contains(ctxDir, "://") || strings.HasPrefix(ctxDir, "git@") || ctxDir == "-" {
		return o, nil, fmt.Errorf("context %s is not a local directory: buildscope bakes local contexts only", ctxDir)
	}
	if t.DockerfileInline != nil {
		return o, nil, errors.New("dockerfile-inline is not supported: put the Dockerfile in a file and name it with dockerfile")
	}
	o.ContextDir = filepath.Clean(ctxDir)
	df := "Dockerfile"
	if t.Dockerfile != nil {
		df = *t.Dockerfile
	}
	if !filepath.IsAbs(df) {
		df = filepath.Join(o.ContextDir, df) // as buildx: relative to the context
	}
	o.Dockerfile = df
	if t.Target != nil {
		o.Target = *t.Target
	}
	argNames := make([]string, 0, len(t.Args))
	for k := range t.Args {
		argNames = append(argNames, k)
	}
	sort.Strings(argNames)
	for _, k := range argNames {
		if v := t.Args[k]; v != nil { // buildx drops args without a value
			o.BuildArgs = append(o.BuildArgs, k+"="+*v)
		}
	}
	o.Platforms = t.Platforms
	o.Tags = t.Tags
	for _, s := range t.Secrets {
		o.Secrets = append(o.Secrets, s.String())
	}
	for _, s := range t.SSH {
		o.SSH = append(o.SSH, s.String())
	}
	for name, v := range t.Contexts {
		if strings.HasPrefix(v, "target:") {
			return o, nil, fmt.Errorf("context %s=%s: a target as a named context is not supported yet", name, v)
		}
		o.BuildContexts = append(o.BuildContexts, name+"="+v)
	}
	sort.Strings(o.BuildContexts)
	if t.NoCache != nil {
		o.NoCache = *t.NoCache
	}
	o.NoCacheFilter = t.NoCacheFilter
	for _, c := range t.CacheFrom {
		o.CacheFrom = append(o.CacheFrom, c.String())
	}
	for _, c := range t.CacheTo {
		o.CacheTo = append(o.CacheTo, c.String())
	}
	applyBakeOutputs(&o, t.Outputs)
	if len(t.Labels) > 0 {
		notes = append(notes, "labels are not applied (buildscope build has no --label)")
	}
	if len(t.Annotations) > 0 {
		notes = append(notes, "annotations are not applied")
	}
	if len(t.Attest) > 0 {
		notes = append(notes, "attestations are not made")
	}
	return o, notes, nil
}

// applyBakeOutputs maps a target's outputs (with --push and --load already
// applied by buildx's overrides) onto o: an image pushed, the Docker
// engine loaded, or -o destinations.
func applyBakeOutputs(o *Options, outs buildflags.Exports) {
	for _, e := range outs {
		switch {
		case (e.Type == "image" && e.Attrs["push"] == "true") || e.Type == "registry":
			o.Push = true
			if n := e.Attrs["name"]; n != "" && len(o.Tags) == 0 {
				o.Tags = strings.Split(n, ",")
			}
		case e.Type == "docker" && e.Destination == "":
			o.Load = true
		case e.Type == "image" || e.Type == "cacheonly":
			// the result stays in buildscope's store
		default:
			o.Destinations = append(o.Destinations, e.String())
		}
	}
}

// OnePlan is the plan every target builds when they all build one
// Dockerfile with the same stage bases (a bake the live graph can draw as
// one), else nil.
func (bk *Bake) OnePlan() *dockerfile.Plan {
	if len(bk.Targets) == 0 {
		return nil
	}
	first := bk.Targets[0]
	for _, t := range bk.Targets[1:] {
		if t.DockerfileAbs != first.DockerfileAbs || len(t.Plan.Stages) != len(first.Plan.Stages) {
			return nil
		}
		for i, s := range t.Plan.Stages {
			if s.Name != first.Plan.Stages[i].Name || s.Base != first.Plan.Stages[i].Base {
				return nil
			}
		}
	}
	return first.Plan
}
