package results

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	dockerclient "github.com/moby/moby/client"
	"github.com/sirupsen/logrus"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
)

// LayoutImage opens the image with the given digest in an OCI layout.
// When the digest names a multi-platform index, platform ("os/arch[/variant]",
// "" for the host's) picks its image; a platform the index lacks is an
// error listing the platforms it has.
func LayoutImage(dir, digest, platform string) (v1.Image, error) {
	r, err := Open(dir, digest)
	if err != nil || r.Image != nil {
		return r.Image, err
	}
	want, err := ParsePlatform(platform)
	if err != nil {
		return nil, err
	}
	var have []string
	for _, d := range r.Platforms() {
		if d.Platform.Satisfies(want) {
			return ImageFromBlobs(r.Layout, d.Digest)
		}
		have = append(have, d.Platform.String())
	}
	return nil, fmt.Errorf("image %s has no %s image: it has %s; pick one with --platform", shortHash(r.h), want.String(), strings.Join(have, ", "))
}

// Result is what a digest names in a layout: an image, or an index.
type Result struct {
	Layout layout.Path
	h      v1.Hash
	Image  v1.Image
	idx    *v1.IndexManifest
}

// Open opens the image or index digest in the results layout dir.
func Open(dir, digest string) (*Result, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return &Result{}, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	h, err := v1.NewHash(digest)
	if err != nil {
		return &Result{}, fmt.Errorf("image digest %q: %w", digest, err)
	}
	r := &Result{Layout: p, h: h}
	if r.Image, err = ImageFromBlobs(p, h); err == nil {
		return r, nil
	}
	if r.idx, err = layoutIndex(p, h); err != nil {
		return &Result{}, fmt.Errorf("%s in %s: %w", digest, dir, err)
	}
	return r, nil
}

// Platforms are the index's platform images (attestations left out).
func (r *Result) Platforms() []v1.Descriptor {
	var out []v1.Descriptor
	for _, d := range r.idx.Manifests {
		if d.Platform != nil && d.Platform.Architecture != "unknown" {
			out = append(out, d)
		}
	}
	return out
}

func layoutIndex(p layout.Path, h v1.Hash) (*v1.IndexManifest, error) {
	raw, err := p.Bytes(h)
	if err != nil {
		return nil, fmt.Errorf("no image %s: %w", h, err)
	}
	im, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil || len(im.Manifests) == 0 {
		return nil, fmt.Errorf("%s is neither an image nor an index of images", h)
	}
	return im, nil
}

// ParsePlatform parses "os/arch[/variant]"; "" is the host's platform.
func ParsePlatform(s string) (v1.Platform, error) {
	if s == "" {
		return v1.Platform{OS: "linux", Architecture: runtime.GOARCH}, nil
	}
	p, err := v1.ParsePlatform(s)
	if err != nil || p.OS == "" || p.Architecture == "" {
		return v1.Platform{}, fmt.Errorf("invalid --platform %q: use os/arch[/variant], e.g. linux/arm64", s)
	}
	return *p, nil
}

func shortHash(h v1.Hash) string {
	if len(h.Hex) > 12 {
		return h.Hex[:12]
	}
	return h.Hex
}

// ImageHistory pairs an image's config history with its layers' sizes.
func ImageHistory(img v1.Image) ([]fold.HistoryEntry, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	var out []fold.HistoryEntry
	li := 0
	for _, h := range cfg.History {
		e := fold.HistoryEntry{CreatedBy: h.CreatedBy, EmptyLayer: h.EmptyLayer}
		if !h.EmptyLayer && li < len(m.Layers) {
			e.SizeBytes = m.Layers[li].Size
			li++
		}
		out = append(out, e)
	}
	return out, nil
}

// DockerHistory is the history of an image in the engine's store, oldest
// first, with uncompressed sizes. The engine's API does not say which
// entries made a layer: an entry did if it has bytes or its instruction
// always makes one (an empty WORKDIR layer has 0 bytes).
func DockerHistory(ctx context.Context, dc *dockerclient.Client, id string) ([]fold.HistoryEntry, error) {
	hist, err := dc.ImageHistory(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading history of image %s: %w", id, err)
	}
	var out []fold.HistoryEntry
	for i := len(hist.Items) - 1; i >= 0; i-- {
		it := hist.Items[i]
		out = append(out, fold.HistoryEntry{CreatedBy: it.CreatedBy, EmptyLayer: it.Size == 0 && !makesLayer(it.CreatedBy), SizeBytes: it.Size})
	}
	return out, nil
}

// SizesKnown says whether the entries of hist that made a layer know its
// size (SummarizeImage could measure the layers' content).
func SizesKnown(hist []fold.HistoryEntry) bool {
	for _, h := range hist {
		if h.SizeBytes < 0 {
			return false
		}
	}
	return true
}

// SummarizeImage lists an image's layers with the instruction that made
// each (from its config history, see imageHistory), their compressed
// sizes (the manifest's) and their content, as contentSizes measures it
// (nil, or an error, leaves it unknown). The entries of hist that made a
// layer get its content as their size, so that the steps' sizes mean
// what the image's does.
func SummarizeImage(digest string, img v1.Image, hist []fold.HistoryEntry, contentSizes builder.ContentSizer) (*model.Image, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", digest, err)
	}
	var content []int64
	if contentSizes != nil {
		c, err := contentSizes(img)
		if err != nil || len(c) != len(m.Layers) {
			logrus.Debugf("measuring the content of image %s: %v", digest, err)
		} else {
			content = c
		}
	}
	made := 0
	out := &model.Image{Digest: digest, Layers: []model.Layer{}}
	for i, l := range m.Layers {
		ly := model.Layer{Digest: l.Digest.String(), CompressedBytes: l.Size}
		for made < len(hist) && hist[made].EmptyLayer {
			made++
		}
		if made < len(hist) {
			ly.CreatedBy = hist[made].CreatedBy
			hist[made].SizeBytes = -1 // not known: never a compressed size named a size (see SizesKnown)
			if content != nil {
				hist[made].SizeBytes = content[i]
			}
			made++
		}
		if content != nil {
			ly.SizeBytes = content[i]
		}
		out.SizeBytes += ly.SizeBytes
		out.CompressedBytes += l.Size
		out.Layers = append(out.Layers, ly)
	}
	return out, nil
}

// layerEntries keeps the history entries that made a layer, in order.
func layerEntries(hist []fold.HistoryEntry) []fold.HistoryEntry {
	var out []fold.HistoryEntry
	for _, h := range hist {
		if !h.EmptyLayer {
			out = append(out, h)
		}
	}
	return out
}

// SummarizeDocker describes an image in the engine's store: uncompressed
// layer sizes from its history (see dockerHistory), paired with the rootfs
// layers.
func SummarizeDocker(ctx context.Context, dc *dockerclient.Client, id string, hist []fold.HistoryEntry) (*model.Image, error) {
	ins, err := dc.ImageInspect(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("inspecting image %s in the engine: %w", id, err)
	}
	var layers []string
	if ins.RootFS.Type != "" {
		layers = ins.RootFS.Layers
	}
	made := layerEntries(hist)
	out := &model.Image{Digest: ins.ID, SizeBytes: ins.Size, Layers: []model.Layer{}}
	off := len(made) - len(layers)
	for i, d := range layers {
		ly := model.Layer{Digest: d}
		if j := i + off; j >= 0 && j < len(made) {
			ly.SizeBytes, ly.CreatedBy = made[j].SizeBytes, made[j].CreatedBy
		}
		out.Layers = append(out.Layers, ly)
	}
	return out, nil
}

// makesLayer reports whether a history entry's instruction makes a layer
// even when it adds no bytes.
func makesLayer(createdBy string) bool {
	for _, kw := range []string{"RUN ", "COPY ", "ADD ", "WORKDIR "} {
		if strings.HasPrefix(createdBy, kw) {
			return true
		}
	}
	return false
}
