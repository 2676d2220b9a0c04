package results

import (
	"bytes"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// blobImage is an image read from an OCI layout's blobs by its manifest
// digest, whether or not the layout's index lists it: the results layout
// keeps no index entry per build (see Export).
type blobImage struct {
	p        layout.Path
	manifest []byte
	m        *v1.Manifest
}

// ImageFromBlobs opens the image whose manifest is blob h of layout p.
func ImageFromBlobs(p layout.Path, h v1.Hash) (v1.Image, error) {
	raw, err := p.Bytes(h)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", h, err)
	}
	if !m.MediaType.IsImage() && m.Config.Digest.Hex == "" {
		return nil, fmt.Errorf("%s is not an image manifest", h)
	}
	return partial.CompressedToImage(&blobImage{p: p, manifest: raw, m: m})
}

// RawConfigFile implements partial.CompressedImageCore.
func (b *blobImage) RawConfigFile() ([]byte, error) { return b.p.Bytes(b.m.Config.Digest) }

// MediaType implements partial.CompressedImageCore.
func (b *blobImage) MediaType() (types.MediaType, error) {
	if b.m.MediaType != "" {
		return b.m.MediaType, nil
	}
	return types.OCIManifestSchema1, nil
}

// RawManifest implements partial.CompressedImageCore.
func (b *blobImage) RawManifest() ([]byte, error) { return b.manifest, nil }

// LayerByDigest implements partial.CompressedImageCore.
func (b *blobImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, d := range append([]v1.Descriptor{b.m.Config}, b.m.Layers...) {
		if d.Digest == h {
			return &blobLayer{p: b.p, desc: d}, nil
		}
	}
	return nil, fmt.Errorf("no blob %s in manifest", h)
}

type blobLayer struct {
	p    layout.Path
	desc v1.Descriptor
}

func (l *blobLayer) Digest() (v1.Hash, error)           { return l.desc.Digest, nil }
func (l *blobLayer) Compressed() (io.ReadCloser, error) { return l.p.Blob(l.desc.Digest) }
func (l *blobLayer) Size() (int64, error)               { return l.desc.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) {
	return l.desc.MediaType, nil
}
