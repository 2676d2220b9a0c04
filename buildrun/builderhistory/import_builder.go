package builderhistory

import (
	"context"
	"fmt"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/util/contentutil"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// Import copies a build of the builder's own history (by ref
// or unique prefix) into buildscope's history h: its record as
// Open rebuilds it, its status stream, and, when the builder
// still holds it, the image it exported (into buildscope's results
// layout), so that build:REF opens it — inspect, compare, diff — without
// the builder. A record whose image is gone is imported without it, with
// a warning saying so.
func Import(ctx context.Context, b *builder.Builder, h history.History, paths state.Paths, ref string) (*model.Build, error) {
	r, err := findRecord(ctx, b, ref)
	if err != nil {
		return nil, err
	}
	if err := history.CheckID(r.Ref); err != nil {
		return nil, fmt.Errorf("the %s builder's build cannot be imported, nothing was: %w", b.Name(), err)
	}
	remote := proxy.NewContentStore(b.Client.ContentClient())
	o, err := recordBuild(ctx, r, remote, b.Name(), keysOf(b))
	if err != nil {
		return nil, err
	}
	rec := o.Build
	unlock, _, err := results.Lock(paths.Results(), false) // no sweep until the record names the image
	if err != nil {
		return nil, err
	}
	defer unlock()
	if desc := resultImage(r); desc != nil {
		if err := copyResult(ctx, paths, remote, *desc, rec, b.ContentSizes); err != nil {
			rec.Warnings = append(rec.Warnings, model.Warning{Short: "its image is not kept: " + err.Error()})
		}
	}
	if err := saveWithEvents(h, rec, o); err != nil {
		return nil, err
	}
	return rec, nil
}

// resultImage is the image (manifest or index) the record's build
// exported, nil if none.
func resultImage(r *controlapi.BuildHistoryRecord) *ocispecs.Descriptor {
	for _, res := range append([]*controlapi.BuildResultInfo{r.Result}, mapValues(r.Results)...) {
		if res == nil {
			continue
		}
		for _, d := range res.Results {
			if d.MediaType == ocispecs.MediaTypeImageManifest || d.MediaType == ocispecs.MediaTypeImageIndex ||
				d.MediaType == "application/vnd.docker.distribution.manifest.v2+json" || d.MediaType == "application/vnd.docker.distribution.manifest.list.v2+json" {
				od := toOCI(d)
				return &od
			}
		}
	}
	return nil
}

// copyResult copies an image and everything it references from the
// builder's content store into the results layout, and records it on rec
// as build:ID's image, its layers measured by sizes.
func copyResult(ctx context.Context, paths state.Paths, remote content.Provider, desc ocispecs.Descriptor, rec *model.Build, sizes builder.ContentSizer) error {
	store, err := results.Store(paths)
	if err != nil {
		return err
	}
	if err := contentutil.CopyChain(ctx, store, remote, desc); err != nil {
		return fmt.Errorf("copying image %s from the builder: %w", desc.Digest, err)
	}
	dgst := desc.Digest.String()
	rec.Result = &model.ResultRef{Kind: model.ResultOCILayout, Path: paths.Results(), Ref: dgst}
	res, err := results.Open(paths.Results(), dgst)
	if err != nil {
		return err
	}
	img, platform := res.Image, ""
	if img == nil {
		for _, d := range res.Platforms() {
			if img, err = results.ImageFromBlobs(res.Layout, d.Digest); err == nil {
				dgst, platform = d.Digest.String(), d.Platform.String()
				break
			}
		}
	}
	if img == nil {
		return nil
	}
	hist, err := results.ImageHistory(img)
	if err != nil {
		return err
	}
	sum, err := results.SummarizeImage(dgst, img, hist, sizes)
	if err != nil {
		return err
	}
	sum.Platform = platform
	rec.Image = sum
	return nil
}
