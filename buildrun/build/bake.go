package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/buildscope/buildscope/buildrun/bakespec"
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
	// Reader resolves the bake files; nil: the buildscope-bake process
	// (ReadBakeFiles). Tests pass bakefile.Resolve, the same code in-process.
	Reader BakeReader
}

// BakeReader resolves bake files into the targets to build.
type BakeReader func(ctx context.Context, r bakespec.Request) (*bakespec.Resolved, error)

// Bake is a bake definition read by buildx's own parser, each target's
// build prepared as `buildscope build` prepares one.
type Bake struct {
	// Targets are the targets to build, by name.
	Targets []BakeTarget
	// Notes are what buildscope does not do of the definition (one line
	// each), to show before the builds start.
	Notes      []string
	definition json.RawMessage
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
	read := o.Reader
	if read == nil {
		read = ReadBakeFiles
	}
	res, err := read(ctx, bakespec.Request{Files: o.Files, Targets: o.Targets, Set: o.Set, Load: o.Load, Push: o.Push})
	if err != nil {
		return nil, err
	}
	bk := &Bake{definition: res.Definition}
	for _, t := range res.Targets {
		for _, note := range t.Notes {
			bk.Notes = append(bk.Notes, "target "+t.Name+": "+note)
		}
		p, err := Prepare(Options{
			Inputs: Inputs{ContextDir: t.ContextDir, Dockerfile: t.Dockerfile, Target: t.Target, BuildArgs: t.BuildArgs,
				Platforms: t.Platforms, Secrets: t.Secrets, SSH: t.SSH, BuildContexts: t.BuildContexts,
				NoCache: t.NoCache, NoCacheFilter: t.NoCacheFilter, CacheFrom: t.CacheFrom},
			Outputs: Outputs{Tags: t.Tags, Destinations: t.Destinations, Push: t.Push, Load: t.Load, CacheTo: t.CacheTo},
		})
		if err != nil {
			return nil, fmt.Errorf("bake target %s: %w", t.Name, err)
		}
		bk.Targets = append(bk.Targets, BakeTarget{Name: t.Name, Prepared: p})
	}
	return bk, nil
}

// Print writes the resolved definition as JSON, the shape `docker buildx
// bake --print` writes.
func (bk *Bake) Print(w io.Writer) error {
	var out bytes.Buffer
	if err := json.Indent(&out, bk.definition, "", "  "); err != nil {
		return fmt.Errorf("encoding the bake definition: %w", err)
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
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
