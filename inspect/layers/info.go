package layers

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// LayerInfo is what the manifest and config say about a layer; Describe
// returns it without reading any layer.
type LayerInfo struct {
	// Index is the layer's position, 0 for the bottom layer.
	Index int
	// Digest is the digest of the layer blob as stored (compressed).
	Digest v1.Hash
	// DiffID is the digest of the uncompressed tar.
	DiffID v1.Hash
	// MediaType is the blob's media type.
	MediaType types.MediaType
	// CompressedBytes is the blob's size as stored.
	CompressedBytes int64
	// CreatedBy is the instruction that made the layer, from the config's
	// history ("" when the image records none).
	CreatedBy string
	// Comment is the history entry's comment (BuildKit puts "buildkit.dockerfile.v0" there).
	Comment string
	// Uncompressed marks a layer stored as a plain tar (a docker save
	// archive): it has no blob digest of its own, so Digest is its DiffID
	// and CompressedBytes its tar's length, known once the layer is read.
	Uncompressed bool
}

// Describe lists an image's layers from its manifest and config only, so a
// UI can show the layer list before any layer is read.
func Describe(img v1.Image) ([]LayerInfo, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	var hist []v1.History
	for _, h := range cf.History {
		if !h.EmptyLayer {
			hist = append(hist, h)
		}
	}
	// The config names every layer's diff ID. go-containerregistry
	// computes it instead, by decompressing the whole layer, for a layer
	// whose blob does not say it (a docker-archive saved compressed): a
	// second full read of the image before the first.
	diffIDs := cf.RootFS.DiffIDs
	if len(diffIDs) != len(ls) {
		diffIDs = nil
	}
	out := make([]LayerInfo, len(ls))
	for i, l := range ls {
		info := LayerInfo{Index: i, Uncompressed: layertar.StoredUncompressed(l)}
		if diffIDs != nil {
			info.DiffID = diffIDs[i]
		} else if info.DiffID, err = l.DiffID(); err != nil {
			return nil, fmt.Errorf("layer %d: reading diff ID: %w", i, err)
		}
		info.Digest = info.DiffID
		if !info.Uncompressed {
			if info.Digest, err = l.Digest(); err != nil {
				return nil, fmt.Errorf("layer %d (%s): reading digest: %w", i, info.DiffID, err)
			}
			if info.CompressedBytes, err = l.Size(); err != nil {
				return nil, fmt.Errorf("layer %d (%s): reading size: %w", i, info.Digest, err)
			}
		}
		if info.MediaType, err = l.MediaType(); err != nil {
			return nil, fmt.Errorf("layer %d (%s): reading media type: %w", i, info.Digest, err)
		}
		// History entries map to layers in order only when every layer has one.
		if len(hist) == len(ls) {
			info.CreatedBy, info.Comment = hist[i].CreatedBy, hist[i].Comment
		}
		out[i] = info
	}
	return out, nil
}
