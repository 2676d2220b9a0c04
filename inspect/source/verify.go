package source

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/layertar"
	"github.com/buildscope/buildscope/model"
)

// Everything an image names by digest is checked against that digest:
// manifests and configs when the image is opened (they are small), layer
// blobs and their uncompressed tars (diff_ids) as they are read, so a
// layer is never read twice to be verified. A mismatch is an error naming
// the blob; it is never shown under the digest it claims.

// CorruptError is content that does not match the digest that names it,
// or a structure (an index cycle, a layer count) that cannot be right.
type CorruptError struct{ msg string }

func (e *CorruptError) Error() string { return e.msg }

func corrupt(format string, args ...any) error {
	return &CorruptError{msg: fmt.Sprintf(format, args...)}
}

// checkManifest checks that img's manifest hashes to want (the digest of
// the descriptor it was found by) and its config to what the manifest says.
func checkManifest(img v1.Image, want v1.Hash, where string) error {
	if err := checkBlob("manifest", img.RawManifest, want, where); err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("reading manifest %s in %s: %w", want, where, err)
	}
	return checkBlob("config", img.RawConfigFile, m.Config.Digest, where)
}

// checkIndex checks that an index's raw manifest hashes to want.
func checkIndex(idx v1.ImageIndex, want v1.Hash, where string) error {
	return checkBlob("index", idx.RawManifest, want, where)
}

// checkBlob checks that the small blob read returns hashes to want.
func checkBlob(kind string, read func() ([]byte, error), want v1.Hash, where string) error {
	raw, err := read()
	if errors.Is(err, fs.ErrNotExist) {
		return corrupt("%s %s is missing from %s: the layout is incomplete", kind, want, where)
	}
	if err != nil {
		return fmt.Errorf("reading %s %s in %s: %w", kind, want, where, err)
	}
	if got := sha256Hash(raw); want.Algorithm == "sha256" && got != want {
		return corrupt("%s %s in %s does not match its digest (its content hashes to %s): the image is corrupt", kind, want, where, got)
	}
	return nil
}

func sha256Hash(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

// verified wraps img so that every layer it returns checks its blob
// against its digest and size, and its tar against its diff_id, as they
// are read.
func verified(img v1.Image, where string) v1.Image {
	return &verifiedImage{Image: img, where: where}
}

type verifiedImage struct {
	v1.Image
	where string
}

// Layers pairs each layer with its diff_id from the config, by position
// (asking a layout's layer for its diff_id would read it whole to compute
// one), so a config that lists another number of diff_ids is refused.
func (i *verifiedImage) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, err
	}
	cf, err := i.Image.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", i.where, err)
	}
	if len(cf.RootFS.DiffIDs) != len(ls) {
		return nil, corrupt("%s has %d layers but its config lists %d diff_ids: the image is corrupt", i.where, len(ls), len(cf.RootFS.DiffIDs))
	}
	out := make([]v1.Layer, len(ls))
	for n, l := range ls {
		if out[n], err = verifyLayer(l, n, cf.RootFS.DiffIDs[n], i.where); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (i *verifiedImage) LayerByDigest(h v1.Hash) (v1.Layer, error) {
	return i.layer(func(l v1.Layer) (v1.Hash, error) { return l.Digest() }, h)
}

func (i *verifiedImage) LayerByDiffID(h v1.Hash) (v1.Layer, error) {
	return i.layer(func(l v1.Layer) (v1.Hash, error) { return l.DiffID() }, h)
}

func (i *verifiedImage) layer(key func(v1.Layer) (v1.Hash, error), h v1.Hash) (v1.Layer, error) {
	ls, err := i.Layers()
	if err != nil {
		return nil, err
	}
	for _, l := range ls {
		if k, err := key(l); err == nil && k == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("no layer %s in %s", h, i.where)
}

// storedUncompressed reports whether l is a plain tar whose digest and
// size go-containerregistry would compute by compressing it (a docker
// save archive's layers): only its diff_id is checked, and the wrapper
// keeps that type so readers still know not to ask for its digest.
func storedUncompressed(l v1.Layer) bool { return layertar.StoredUncompressed(l) }

func verifyLayer(l v1.Layer, n int, diffID v1.Hash, where string) (v1.Layer, error) {
	if al, ok := l.(*archiveLayer); ok {
		return al, nil // checks its diff_id itself; its digest is computed, not claimed
	}
	mt, err := l.MediaType()
	if err != nil {
		return nil, fmt.Errorf("layer %d of %s: reading media type: %w", n, where, err)
	}
	if storedUncompressed(l) {
		return partial.UncompressedToLayer(&uncompressedVerifier{l: l, n: n, where: where, diffID: diffID, mt: mt})
	}
	digest, err := l.Digest()
	if err != nil {
		return nil, fmt.Errorf("layer %d of %s: reading digest: %w", n, where, err)
	}
	size, err := l.Size()
	if err != nil {
		return nil, fmt.Errorf("layer %d (%s) of %s: reading size: %w", n, digest, where, err)
	}
	cv := &compressedVerifier{l: l, where: where, digest: digest, diffID: diffID, size: size, mt: mt}
	ext, err := partial.CompressedToLayer(cv)
	if err != nil {
		return nil, err
	}
	return &compressedLayer{Layer: ext, n: n, where: where, digest: digest, diffID: diffID}, nil
}

// uncompressedVerifier is a partial.UncompressedLayer whose tar is checked
// against its diff_id.
type uncompressedVerifier struct {
	l      v1.Layer
	n      int
	where  string
	diffID v1.Hash
	mt     types.MediaType
}

func (u *uncompressedVerifier) DiffID() (v1.Hash, error)            { return u.diffID, nil }
func (u *uncompressedVerifier) MediaType() (types.MediaType, error) { return u.mt, nil }
func (u *uncompressedVerifier) Uncompressed() (io.ReadCloser, error) {
	rc, err := u.l.Uncompressed()
	if err != nil {
		return nil, err
	}
	return verifyingReader(rc, u.diffID, -1, func(got v1.Hash, _ int64) error {
		return corrupt("layer %d of %s does not match its diff_id %s from the image config (its tar hashes to %s): the image is corrupt", u.n, u.where, u.diffID, got)
	}), nil
}

// compressedVerifier is a partial.CompressedLayer whose blob is checked
// against its digest and size.
type compressedVerifier struct {
	l              v1.Layer
	where          string
	digest, diffID v1.Hash
	size           int64
	mt             types.MediaType
}

func (c *compressedVerifier) Digest() (v1.Hash, error)            { return c.digest, nil }
func (c *compressedVerifier) DiffID() (v1.Hash, error)            { return c.diffID, nil }
func (c *compressedVerifier) Size() (int64, error)                { return c.size, nil }
func (c *compressedVerifier) MediaType() (types.MediaType, error) { return c.mt, nil }
func (c *compressedVerifier) Compressed() (io.ReadCloser, error) {
	rc, err := c.l.Compressed()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, corrupt("layer blob %s is missing from %s: the layout is incomplete", c.digest, c.where)
	}
	if err != nil {
		return nil, err
	}
	return verifyingReader(rc, c.digest, c.size, func(got v1.Hash, n int64) error {
		if n != c.size {
			return corrupt("layer blob %s in %s is not %d bytes as its descriptor says (read %d): the image is corrupt", c.digest, c.where, c.size, n)
		}
		return corrupt("layer blob %s in %s does not match its digest (its content hashes to %s): the image is corrupt", c.digest, c.where, got)
	}), nil
}

// compressedLayer checks the uncompressed tar against the diff_id on top
// of the blob check underneath it.
type compressedLayer struct {
	v1.Layer
	n              int
	where          string
	digest, diffID v1.Hash
}

func (l *compressedLayer) Uncompressed() (io.ReadCloser, error) {
	blob, err := l.Layer.Compressed() // the verified blob, inflated by the faster decompressors
	if err != nil {
		return nil, err
	}
	rc, err := layertar.Decompress(blob)
	if err != nil {
		return nil, err
	}
	return verifyingReader(rc, l.diffID, -1, func(got v1.Hash, _ int64) error {
		return corrupt("layer %d (%s) of %s does not match its diff_id %s from the image config (its tar hashes to %s): the image is corrupt", l.n, l.digest, l.where, l.diffID, got)
	}), nil
}

// verifyingReader hashes what is read through it; at the end it returns
// fault's error instead of io.EOF when the content does not hash to want
// or its length differs from size (when size ≥ 0). Reading past size is
// refused as soon as it happens.
func verifyingReader(rc io.ReadCloser, want v1.Hash, size int64, fault func(got v1.Hash, n int64) error) io.ReadCloser {
	if want.Algorithm != "sha256" {
		return rc // only sha256 is checked; others pass as they are
	}
	return &verifyReader{rc: rc, h: sha256.New(), want: want, size: size, fault: fault}
}

type verifyReader struct {
	rc    io.ReadCloser
	h     hash.Hash
	want  v1.Hash
	size  int64
	n     int64
	fault func(v1.Hash, int64) error
	err   error
}

func (r *verifyReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.rc.Read(p)
	r.h.Write(p[:n])
	r.n += int64(n)
	if r.size >= 0 && r.n > r.size {
		r.err = r.fault(v1.Hash{}, r.n)
		return n, r.err
	}
	if errors.Is(err, io.EOF) {
		got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(r.h.Sum(nil))}
		if got != r.want || (r.size >= 0 && r.n != r.size) {
			r.err = r.fault(got, r.n)
			return n, r.err
		}
	}
	return n, err
}

func (r *verifyReader) Close() error { return r.rc.Close() }

// checkArchiveLayers refuses a docker save archive whose manifest.json
// lists a different number of layers than its config has diff_ids:
// go-containerregistry pairs them by position and would silently drop the
// extra layers. It returns the image's manifest.json entry and config.
func checkArchiveLayers(spec string, img v1.Image, members map[string]tarMember, links map[string]string) (*tarball.Descriptor, *v1.ConfigFile, error) {
	m, err := archiveManifest(spec, members, links)
	if err != nil {
		return nil, nil, wrapOutside(err, "reading manifest.json of %s", spec)
	}
	if len(m) != 1 {
		return nil, nil, nil // tarball.ImageFromPath has refused it already
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, wrapOutside(err, "reading config %s of %s", model.Printable(m[0].Config), spec)
	}
	if got, want := len(cf.RootFS.DiffIDs), len(m[0].Layers); got != want {
		return nil, nil, corrupt("%s lists %d layers in manifest.json but its config %s has %d diff_ids: the archive is corrupt", spec, want, model.Printable(m[0].Config), got)
	}
	return &m[0], cf, nil
}

// archiveManifest reads manifest.json from where indexTar found it,
// without another pass over the archive's headers.
func archiveManifest(spec string, members map[string]tarMember, links map[string]string) (tarball.Manifest, error) {
	mb, ok := resolveMember(members, links, "manifest.json")
	if !ok {
		return nil, errors.New("the archive has no manifest.json")
	}
	f, err := os.Open(spec)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var m tarball.Manifest
	if err := json.NewDecoder(io.NewSectionReader(f, mb.offset, mb.size)).Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}
