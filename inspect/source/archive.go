package source

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/layertar"
	"github.com/buildscope/buildscope/model"
)

// A docker save archive of compressed layers (as crane and
// go-containerregistry's tarball.Write make) names no layer digest:
// go-containerregistry computes its manifest, by hashing every blob, as
// soon as the layers are asked for. archiveImage hands out the layers
// without it: a layer's diff_id comes from the config, its size from the
// tar's header, and its digest is hashed when someone asks for it. What
// the archive does claim, the diff_ids, is checked as each layer is read.

// archiveImage is a docker save archive whose layers are all compressed.
type archiveImage struct {
	v1.Image // go-containerregistry's: the config
	layers   []v1.Layer

	manifestOnce sync.Once
	manifest     *v1.Manifest
	manifestErr  error
}

// Manifest is the manifest go-containerregistry's tarball image makes
// for the archive (the same bytes, so the same digest), from the layers'
// own digests: go-containerregistry's would scan the archive and hash
// every blob again, as many times as it is asked after the layers were.
func (a *archiveImage) Manifest() (*v1.Manifest, error) {
	a.manifestOnce.Do(func() {
		b, err := a.Image.RawConfigFile()
		if err != nil {
			a.manifestErr = err
			return
		}
		cfg, size, err := v1.SHA256(bytes.NewReader(b))
		if err != nil {
			a.manifestErr = err
			return
		}
		m := &v1.Manifest{SchemaVersion: 2, MediaType: types.DockerManifestSchema2,
			Config: v1.Descriptor{MediaType: types.DockerConfigJSON, Size: size, Digest: cfg}}
		for _, l := range a.layers {
			d, err := l.Digest()
			if err != nil {
				a.manifestErr = err
				return
			}
			n, err := l.Size()
			if err != nil {
				a.manifestErr = err
				return
			}
			m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.DockerLayer, Size: n, Digest: d})
		}
		a.manifest = m
	})
	return a.manifest, a.manifestErr
}

// RawManifest is Manifest's JSON.
func (a *archiveImage) RawManifest() ([]byte, error) { return partial.RawManifest(a) }

// Digest is RawManifest's sha256.
func (a *archiveImage) Digest() (v1.Hash, error) { return partial.Digest(a) }

// Layers are the archive's layers, in the config's order.
func (a *archiveImage) Layers() ([]v1.Layer, error) { return a.layers, nil }

// LayerByDiffID is the layer whose tar has diff_id h.
func (a *archiveImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	for _, l := range a.layers {
		if d, _ := l.DiffID(); d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer with diff_id %s", h)
}

// LayerByDigest is the layer whose blob has digest h (hashing the blobs
// it looks at).
func (a *archiveImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	for _, l := range a.layers {
		if d, err := l.Digest(); err == nil && d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer blob %s", h)
}

// tarMember is where a member's content lies in the archive, and whether
// it starts as a gzip or zstd stream does.
type tarMember struct {
	offset, size int64
	compressed   bool
}

// lazyArchive returns img (opened by go-containerregistry from the
// archive at spec, whose manifest.json entry is d and config cf, checked
// to agree by checkArchiveLayers; members and links its indexTar) with
// lazy layers when every layer d names is stored gzip- or zstd-compressed,
// and img itself otherwise (plain tars, foreign layers, links it cannot
// follow).
func lazyArchive(spec string, img v1.Image, d *tarball.Descriptor, cf *v1.ConfigFile, members map[string]tarMember, links map[string]string) v1.Image {
	if len(d.LayerSources) > 0 {
		return img
	}
	out := &archiveImage{Image: img}
	for i, name := range d.Layers {
		mb, ok := resolveMember(members, links, name)
		if !ok {
			return img // go-containerregistry reports what is missing
		}
		if !mb.compressed {
			return img
		}
		out.layers = append(out.layers, &archiveLayer{spec: spec, n: i, name: name, member: mb, diffID: cf.RootFS.DiffIDs[i]})
	}
	return out
}

// indexTar lists the archive's members (where each one's content lies,
// and whether it is compressed, from its first bytes) and its links, in
// one pass over the headers.
func indexTar(spec string) (map[string]tarMember, map[string]string, error) {
	f, err := os.Open(spec)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	members, links := map[string]tarMember{}, map[string]string{}
	tr := tar.NewReader(f)
	head := make([]byte, 4)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return members, links, nil
		}
		if err != nil {
			return nil, nil, err
		}
		name := path.Clean(hdr.Name)
		switch hdr.Typeflag {
		case tar.TypeSymlink, tar.TypeLink:
			links[name] = path.Join(path.Dir(name), path.Clean(hdr.Linkname))
		case tar.TypeReg:
			// archive/tar reads a header's blocks and no further: the
			// file's offset is where the content starts
			off, err := f.Seek(0, io.SeekCurrent)
			if err != nil {
				return nil, nil, err
			}
			n, err := io.ReadFull(tr, head)
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, nil, err
			}
			members[name] = tarMember{offset: off, size: hdr.Size, compressed: layertar.IsCompressed(head[:n])}
		}
	}
}

// resolveMember follows links (as go-containerregistry does, relative to
// the link's directory) to the member holding name's content.
func resolveMember(members map[string]tarMember, links map[string]string, name string) (tarMember, bool) {
	name = path.Clean(name)
	for hops := 0; hops <= len(links); hops++ {
		if m, ok := members[name]; ok {
			return m, true
		}
		next, ok := links[name]
		if !ok {
			return tarMember{}, false
		}
		name = next
	}
	return tarMember{}, false // a cycle
}

// archiveLayer is one compressed layer of a docker save archive.
type archiveLayer struct {
	spec   string
	n      int
	name   string // as manifest.json names it
	member tarMember
	diffID v1.Hash

	mu     sync.Mutex
	digest v1.Hash // once known: hashed when asked, or while the layer was read whole
}

// Digest is the blob's sha256: hashed the first time it is asked for,
// unless the layer was read to its end before (Uncompressed hashes the
// blob as it goes).
func (l *archiveLayer) Digest() (v1.Hash, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.digest.Hex != "" {
		return l.digest, nil
	}
	rc, err := l.Compressed()
	if err != nil {
		return v1.Hash{}, err
	}
	defer rc.Close()
	h := sha256.New()
	if _, err := io.Copy(h, rc); err != nil {
		return v1.Hash{}, fmt.Errorf("hashing layer %d of %s: %w", l.n, l.spec, err)
	}
	l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	return l.digest, nil
}

// blobHasher hashes the blob as Uncompressed's reader takes it, and
// gives the layer its digest when it took all of it.
type blobHasher struct {
	l *archiveLayer
	r io.Reader
	h hash.Hash
	n int64
}

func (b *blobHasher) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.h.Write(p[:n])
	b.n += int64(n)
	if errors.Is(err, io.EOF) && b.n == b.l.member.size {
		b.l.mu.Lock()
		if b.l.digest.Hex == "" {
			b.l.digest = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(b.h.Sum(nil))}
		}
		b.l.mu.Unlock()
	}
	return n, err
}

// DiffID is the diff_id the config gives the layer.
func (l *archiveLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Size is the blob's size, from the tar's header.
func (l *archiveLayer) Size() (int64, error) { return l.member.size, nil }

// MediaType is a compressed Docker layer's, as go-containerregistry says
// of a docker save archive's compressed layers.
func (l *archiveLayer) MediaType() (types.MediaType, error) { return types.DockerLayer, nil }

// Compressed is the blob as the archive holds it.
func (l *archiveLayer) Compressed() (io.ReadCloser, error) {
	f, err := os.Open(l.spec)
	if err != nil {
		return nil, err
	}
	return struct {
		io.Reader
		io.Closer
	}{io.NewSectionReader(f, l.member.offset, l.member.size), f}, nil
}

// Uncompressed is the layer's tar, checked against its diff_id as it is
// read.
func (l *archiveLayer) Uncompressed() (io.ReadCloser, error) {
	blob, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	blob = struct {
		io.Reader
		io.Closer
	}{&blobHasher{l: l, r: blob, h: sha256.New()}, blob}
	rc, err := layertar.Decompress(blob)
	if err != nil {
		blob.Close()
		return nil, fmt.Errorf("layer %d (%s) of %s: %w", l.n, model.Printable(l.name), l.spec, err)
	}
	return verifyingReader(rc, l.diffID, -1, func(got v1.Hash, _ int64) error {
		return corrupt("layer %d (%s) of %s does not match its diff_id %s from the image config (its tar hashes to %s): the image is corrupt", l.n, model.Printable(l.name), l.spec, l.diffID, got)
	}), nil
}
