package layers

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// storedBlob is a compressed blob as a registry or OCI layout stores it,
// its diff ID taken from the config (as go-containerregistry does), so
// nothing reads it before Analyze.
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

// blob makes a layer of compressed bytes read through go-containerregistry's
// own decompression (partial.CompressedToLayer).
func blob(t *testing.T, b []byte, mt types.MediaType) v1.Layer {
	l, err := partial.CompressedToLayer(storedBlob{b, mt})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zst(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	w, err := zstd.NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Every kind of bad layer gives an error naming the layer, never a panic.
func TestBadLayersNameTheLayer(t *testing.T) {
	good := tarBytes(t, file("ok", 10))
	big := tarBytes(t, file("a", 4000), file("b", 4000))
	brokenGzip := gz(t, big)
	brokenGzip = append(brokenGzip[:len(brokenGzip)/2], bytes.Repeat([]byte{0xff}, 64)...)
	brokenZstd := zst(t, big)
	brokenZstd = append(brokenZstd[:len(brokenZstd)/2], bytes.Repeat([]byte{0xff}, 64)...)
	corrupt := append([]byte{}, big...)
	copy(corrupt[148:156], "garbage!") // the first header's checksum field
	for _, c := range []struct {
		name  string
		layer v1.Layer
		want  string
	}{
		{"truncated tar", layer(t, big[:700]), "unexpected EOF"},
		{"corrupt header", layer(t, corrupt), "reading tar entry 1"},
		{"broken gzip", blob(t, brokenGzip, types.DockerLayer), "layer 1"},
		{"truncated gzip", blob(t, gz(t, big)[:100], types.OCILayer), "unexpected EOF"},
		{"broken zstd", blob(t, brokenZstd, types.OCILayerZStd), "layer 1"},
		{"unknown media type", static.NewLayer(good, "application/vnd.example.blob"), `unknown layer media type "application/vnd.example.blob"`},
		{"dot-dot path", layer(t, tarBytes(t, file("a/../../etc/shadow", 1))), `path "a/../../etc/shadow" has a ".." component`},
		{"dot-dot hard link", layer(t, tarBytes(t, hardlink("x", "../../etc/shadow"))), `hard link /x`},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := imageOf(t, mutate.Addendum{Layer: layer(t, good)}, mutate.Addendum{Layer: c.layer})
			d, _ := c.layer.Digest()
			_, err := Analyze(context.Background(), img, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "reading layer 1 ("+d.String()+"): ") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q: want it to name layer 1 (%s) and say %q", msg, d, c.want)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Analyze(ctx, image(t, []te{file("a", 1)}), Options{})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err %v", err)
	}
}
