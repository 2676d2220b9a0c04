package stagesize

import (
	"archive/tar"
	"bytes"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type file struct {
	name string
	dir  bool
	body string
}

func layer(t *testing.T, files ...file) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(f.body))}
		if f.dir {
			h = &tar.Header{Name: f.name, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, f.body)
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestMeasureAppliesWhiteoutsAndOpaqueDirs(t *testing.T) {
	img, err := mutate.AppendLayers(empty.Image,
		layer(t, file{name: "a/", dir: true}, file{name: "a/x", body: "xx"}, file{name: "a/y", body: "yyy"},
			file{name: "b/", dir: true}, file{name: "b/old", body: "old"}, file{name: "c", body: "c"}),
		layer(t, file{name: "a/.wh.x"}, file{name: "b/.wh..wh..opq"}, file{name: "b/new", body: "new!"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	for pass := 0; pass < 2; pass++ { // the second pass reads the cached indexes
		r, err := Measurer{Cache: cache}.Measure(img)
		if err != nil {
			t.Fatal(err)
		}
		for _, gone := range []string{"/a/x", "/b/old"} {
			if _, ok := r.Files[gone]; ok {
				t.Errorf("pass %d: %s survived its whiteout", pass, gone)
			}
		}
		for p, size := range map[string]int64{"/a/y": 3, "/b/new": 4, "/c": 1} {
			if f, ok := r.Files[p]; !ok || f.Size != size || f.Digest == "" {
				t.Errorf("pass %d: %s = %+v", pass, p, f)
			}
		}
		if r.Layers != 2 || r.Uncompressed == 0 || r.Compressed == 0 {
			t.Errorf("pass %d: sizes %+v", pass, r)
		}
	}
}

func TestMeasureCorruptLayer(t *testing.T) {
	bad, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader([]byte("this is not a tar stream at all, just bytes that go on and on ........"))), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img, _ := mutate.AppendLayers(empty.Image, bad)
	if _, err := (Measurer{}).Measure(img); err == nil {
		t.Error("a corrupt layer measured without error")
	}
}
