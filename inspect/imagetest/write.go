package imagetest

import (
	"bytes"
	"compress/gzip"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// Gzip compresses b.
func Gzip(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Zstd compresses b.
func Zstd(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// storedBlob is a compressed blob as a registry or OCI layout stores it,
// its diff ID taken from elsewhere (as go-containerregistry does), so
// nothing reads it before it is asked for.
type storedBlob struct {
	b  []byte
	mt types.MediaType
}

func (s storedBlob) Digest() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(s.b))
	return h, err
}
func (s storedBlob) DiffID() (v1.Hash, error) {
	return v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}, nil
}
func (s storedBlob) Compressed() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(s.b)), nil
}
func (s storedBlob) Size() (int64, error)                { return int64(len(s.b)), nil }
func (s storedBlob) MediaType() (types.MediaType, error) { return s.mt, nil }

// Blob makes a layer of stored (compressed, possibly broken) bytes, read
// through go-containerregistry's partial.CompressedToLayer as OCI layouts
// and registries are. Its diff ID is a fixed fake: the blob is never read
// to compute it.
func Blob(t testing.TB, b []byte, mt types.MediaType) v1.Layer {
	t.Helper()
	l, err := partial.CompressedToLayer(storedBlob{b, mt})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// WriteLayout writes img into a new OCI layout in dir and returns dir.
func WriteLayout(t testing.TB, dir string, img v1.Image) string {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteIndexLayout writes idx as a new OCI layout in dir and returns dir.
func WriteIndexLayout(t testing.TB, dir string, idx v1.ImageIndex) string {
	t.Helper()
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	return dir
}

// WriteDockerSave writes img tagged ref as `docker save` does (layers
// gzip-compressed, as go-containerregistry's tarball writes them) into
// dir, and returns the tar's path.
func WriteDockerSave(t testing.TB, dir string, img v1.Image, ref string) string {
	t.Helper()
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "image.tar")
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// ReadAll reads what open opens (a layer's Compressed or Uncompressed)
// to the end and closes it.
func ReadAll(t testing.TB, open func() (io.ReadCloser, error)) []byte {
	t.Helper()
	rc, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
