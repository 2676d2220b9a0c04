package buildrun

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	dockerclient "github.com/moby/moby/client"

	"github.com/buildscope/buildscope/model"
)

// LayoutImage opens the image with the given manifest digest in an OCI
// layout. A multi-platform index yields its first image.
func LayoutImage(dir, digest string) (v1.Image, error) {
	p, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	h, err := v1.NewHash(digest)
	if err != nil {
		return nil, fmt.Errorf("image digest %q: %w", digest, err)
	}
	if img, err := imageFromBlobs(p, h); err == nil {
		return img, nil
	}
	// a multi-platform result: its index, read from the blobs
	rc, err := p.Blob(h)
	if err != nil {
		return nil, fmt.Errorf("no image %s in %s: %w", digest, dir, err)
	}
	defer rc.Close()
	im, err := v1.ParseIndexManifest(rc)
	if err != nil || len(im.Manifests) == 0 {
		return nil, fmt.Errorf("%s in %s is neither an image nor an index of images", digest, dir)
	}
	return imageFromBlobs(p, im.Manifests[0].Digest)
}

// imageHistory pairs an image's config history with its layers' sizes.
func imageHistory(img v1.Image) ([]model.HistoryEntry, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading manifest: %w", err)
	}
	var out []model.HistoryEntry
	li := 0
	for _, h := range cfg.History {
		e := model.HistoryEntry{CreatedBy: h.CreatedBy, EmptyLayer: h.EmptyLayer}
		if !h.EmptyLayer && li < len(m.Layers) {
			e.SizeBytes = m.Layers[li].Size
			li++
		}
		out = append(out, e)
	}
	return out, nil
}

// dockerHistory is the history of an image in the engine's store, oldest
// first, with uncompressed sizes. The engine's API does not say which
// entries made a layer: an entry did if it has bytes or its instruction
// always makes one (an empty WORKDIR layer has 0 bytes).
func dockerHistory(ctx context.Context, dc *dockerclient.Client, id string) ([]model.HistoryEntry, error) {
	hist, err := dc.ImageHistory(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("reading history of image %s: %w", id, err)
	}
	var out []model.HistoryEntry
	for i := len(hist.Items) - 1; i >= 0; i-- {
		it := hist.Items[i]
		out = append(out, model.HistoryEntry{CreatedBy: it.CreatedBy, EmptyLayer: it.Size == 0 && !makesLayer(it.CreatedBy), SizeBytes: it.Size})
	}
	return out, nil
}

// summarizeImage lists an image's layers with the instruction that made
// each (from its config history, see imageHistory) and their compressed
// sizes.
func summarizeImage(digest string, img v1.Image, hist []model.HistoryEntry) (*model.Image, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("reading manifest %s: %w", digest, err)
	}
	made := layerEntries(hist)
	out := &model.Image{Digest: digest, Layers: []model.Layer{}}
	for i, l := range m.Layers {
		ly := model.Layer{Digest: l.Digest.String(), SizeBytes: l.Size}
		if i < len(made) {
			ly.CreatedBy = made[i].CreatedBy
		}
		out.SizeBytes += l.Size
		out.Layers = append(out.Layers, ly)
	}
	return out, nil
}

// layerEntries keeps the history entries that made a layer, in order.
func layerEntries(hist []model.HistoryEntry) []model.HistoryEntry {
	var out []model.HistoryEntry
	for _, h := range hist {
		if !h.EmptyLayer {
			out = append(out, h)
		}
	}
	return out
}

// summarizeDocker describes an image in the engine's store: uncompressed
// layer sizes from its history (see dockerHistory), paired with the rootfs
// layers.
func summarizeDocker(ctx context.Context, dc *dockerclient.Client, id string, hist []model.HistoryEntry) (*model.Image, error) {
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
