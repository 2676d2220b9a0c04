package stagesize

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// Report builds every stage p's target needs as a target of its own on b
// (p's inputs only: none of the user's outputs) and measures them: each
// stage's size and layers, the final image, the single-stage equivalent,
// and the top paths the final image left behind. Layer indexes are cached
// under paths' state directory.
func Report(ctx context.Context, b *builder.Builder, p *build.Prepared, paths state.Paths, top int) (*compare.StageReport, error) {
	idx, err := p.Plan.Reachable(p.Target)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, i := range idx {
		names = append(names, p.Plan.Stages[i].Name)
	}
	final := names[len(names)-1]
	builds, err := build.RunTargets(ctx, b, p, paths, names)
	if err != nil {
		return nil, err
	}
	rep := &compare.StageReport{Dockerfile: p.DockerfileAbs, Stages: make([]compare.StageSize, len(names)), LeftBehind: []compare.PathSize{}}
	measured := make([]*Result, len(names))
	meas := Measurer{Cache: filepath.Join(paths.State, "cache", "layers")} // as ContentSizer
	eg, ectx := errgroup.WithContext(ctx)
	for i, name := range names {
		eg.Go(func() error {
			rec := builds[name]
			r, err := meas.measureBuild(ectx, b, rec, paths, p.Platform())
			if err != nil {
				return fmt.Errorf("measuring stage %s: %w", name, err)
			}
			measured[i] = r
			rep.Stages[i] = compare.StageSize{Name: name, SizeBytes: r.Content, CompressedBytes: r.Compressed, Layers: r.Layers, Final: name == final, BuildID: rec.ID}
			return nil
		})
	}
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	fin := rep.Stages[len(names)-1]
	rep.Final = compare.FinalSize{Name: fin.Name, SizeBytes: fin.SizeBytes, CompressedBytes: fin.CompressedBytes}
	sources := p.Plan.Stage(final).DependsOn
	rep.SingleStage = compare.SingleStageFor(rep.Stages, final, sources)
	srcFiles := map[string]compare.FileSet{}
	for i, name := range names {
		if slices.Contains(sources, name) {
			srcFiles[name] = measured[i].Files
		}
	}
	rep.LeftBehind = compare.LeftBehind(measured[len(names)-1].Files, srcFiles, sources, top)
	return rep, nil
}

// measureBuild measures the image of a recorded build: from the cached
// indexes of its layers when it is in the Docker engine's store and every
// layer was read before (sparing a `docker save` of the whole image), else
// by opening it.
func (m Measurer) measureBuild(ctx context.Context, b *builder.Builder, rec *model.Build, paths state.Paths, platform string) (*Result, error) {
	if rec.Result != nil && rec.Result.Kind == model.ResultDocker && b.Docker != nil {
		if ins, err := b.Docker.ImageInspect(ctx, rec.Result.Ref); err == nil {
			if r, ok := m.MeasureCached(ins.RootFS.Layers); ok {
				return r, nil
			}
		}
	}
	img, err := source.Open(ctx, "build:"+rec.ID, source.Options{Paths: paths, Platform: platform})
	if err != nil {
		return nil, fmt.Errorf("opening its image: %w", err)
	}
	defer img.Close()
	return m.Measure(img)
}

// ContentSizer is Measurer.LayerContents with the layer indexes cached
// under paths' state directory, where `stages` keeps them.
func ContentSizer(paths state.Paths) func(v1.Image) ([]int64, error) {
	return Measurer{Cache: filepath.Join(paths.State, "cache", "layers")}.LayerContents
}
