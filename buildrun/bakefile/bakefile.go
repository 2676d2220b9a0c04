// Package bakefile reads bake files (HCL, JSON, Compose) with buildx's own
// parser and resolves their targets into build options (bakespec). It is
// linked only into buildscope-bake, the process `buildscope bake` runs to
// read a bake file, so that buildx's heavy package initialisers are not
// paid by every other command.
package bakefile

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/containerd/platforms"
	"github.com/docker/buildx/bake"
	"github.com/docker/buildx/util/buildflags"

	"github.com/buildscope/buildscope/buildrun/bakecheck"
	"github.com/buildscope/buildscope/buildrun/bakespec"
)

// Resolve reads the bake files of o, resolves its targets with the
// overrides and the environment's variables, and turns each into the
// options of one build: bad input fails here, before any builder is
// contacted.
func Resolve(ctx context.Context, o bakespec.Request) (*bakespec.Resolved, error) {
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
	def := struct {
		Group  map[string]*bake.Group  `json:"group,omitempty"`
		Target map[string]*bake.Target `json:"target"`
	}{Group: groups, Target: defs}
	data, err := json.Marshal(def)
	if err != nil {
		return nil, fmt.Errorf("encoding the bake definition: %w", err)
	}
	res := &bakespec.Resolved{Definition: data, Targets: []bakespec.Target{}}
	names := make([]string, 0, len(defs))
	for n := range defs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t, err := target(defs[n])
		if err != nil {
			return nil, fmt.Errorf("bake target %s: %w", n, err)
		}
		t.Name = n
		res.Targets = append(res.Targets, t)
	}
	return res, nil
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

// target turns a resolved bake target into the options of one build,
// with notes on what of the target buildscope does not apply.
func target(t *bake.Target) (o bakespec.Target, err error) {
	ctxDir := "."
	if t.Context != nil {
		ctxDir = *t.Context
	}
	if strings.Contains(ctxDir, "://") || strings.HasPrefix(ctxDir, "git@") || ctxDir == "-" {
		return o, fmt.Errorf("context %s is not a local directory: buildscope bakes local contexts only", ctxDir)
	}
	if t.DockerfileInline != nil {
		return o, errors.New("dockerfile-inline is not supported: put the Dockerfile in a file and name it with dockerfile")
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
			return o, fmt.Errorf("context %s=%s: a target as a named context is not supported yet", name, v)
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
	applyOutputs(&o, t.Outputs)
	if len(t.Labels) > 0 {
		o.Notes = append(o.Notes, "labels are not applied (buildscope build has no --label)")
	}
	if len(t.Annotations) > 0 {
		o.Notes = append(o.Notes, "annotations are not applied")
	}
	if len(t.Attest) > 0 {
		o.Notes = append(o.Notes, "attestations are not made")
	}
	return o, nil
}

// applyOutputs maps a target's outputs (with --push and --load already
// applied by buildx's overrides) onto o: an image pushed, the Docker
// engine loaded, or -o destinations.
func applyOutputs(o *bakespec.Target, outs buildflags.Exports) {
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
