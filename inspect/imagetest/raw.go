package imagetest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// RawLayout writes an OCI layout blob by blob and checks nothing, for the
// layouts no library would write: a blob under another's digest, an index
// naming itself, a config that lists the wrong diff_ids.
type RawLayout struct {
	t   testing.TB
	Dir string
}

// NewRawLayout starts a layout in dir: its oci-layout file and blob
// directory, no index.json yet.
func NewRawLayout(t testing.TB, dir string) *RawLayout {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "oci-layout"), []byte(`{"imageLayoutVersion":"1.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return &RawLayout{t: t, Dir: dir}
}

// Digest is data's sha256 digest.
func Digest(data []byte) v1.Hash {
	h, _, err := v1.SHA256(bytes.NewReader(data))
	if err != nil {
		panic(err) // reading memory does not fail
	}
	return h
}

// Put stores data under its own digest.
func (l *RawLayout) Put(data []byte) v1.Descriptor { return l.PutAs(data, Digest(data)) }

// PutAs stores data under digest h, whatever data hashes to.
func (l *RawLayout) PutAs(data []byte, h v1.Hash) v1.Descriptor {
	l.t.Helper()
	if err := os.WriteFile(filepath.Join(l.Dir, "blobs", h.Algorithm, h.Hex), data, 0o644); err != nil {
		l.t.Fatal(err)
	}
	return v1.Descriptor{Digest: h, Size: int64(len(data))}
}

// JSON is v marshalled.
func (l *RawLayout) JSON(v any) []byte {
	l.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		l.t.Fatal(err)
	}
	return b
}

// Image stores a config listing diffIDs and a manifest of the given
// layer blobs (stored as they are, with media type mt), and returns the
// manifest's descriptor.
func (l *RawLayout) Image(blobs [][]byte, mt types.MediaType, diffIDs []v1.Hash) v1.Descriptor {
	cfg := l.Put(l.JSON(v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers", DiffIDs: diffIDs}}))
	cfg.MediaType = types.OCIConfigJSON
	m := v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: cfg}
	for _, b := range blobs {
		d := l.Put(b)
		d.MediaType = mt
		m.Layers = append(m.Layers, d)
	}
	d := l.Put(l.JSON(m))
	d.MediaType = types.OCIManifestSchema1
	return d
}

// Index writes index.json listing ds.
func (l *RawLayout) Index(ds ...v1.Descriptor) {
	l.IndexJSON(l.JSON(v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: ds}))
}

// IndexJSON writes index.json as it is given.
func (l *RawLayout) IndexJSON(b []byte) {
	l.t.Helper()
	if err := os.WriteFile(filepath.Join(l.Dir, "index.json"), b, 0o644); err != nil {
		l.t.Fatal(err)
	}
}

// Remove deletes the blob h.
func (l *RawLayout) Remove(h v1.Hash) {
	l.t.Helper()
	if err := os.Remove(filepath.Join(l.Dir, "blobs", h.Algorithm, h.Hex)); err != nil {
		l.t.Fatal(err)
	}
}

// WriteFile writes the tar of files to path, as a docker save archive is
// written when its manifest.json and config are crafted by hand.
func WriteFile(t testing.TB, path string, files ...File) string {
	t.Helper()
	if err := os.WriteFile(path, Tar(t, files...), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
