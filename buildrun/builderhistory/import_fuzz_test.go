package builderhistory

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
)

// FuzzImportBundle feeds `history import` any tar (gzip'd as buildx
// writes bundles): it returns builds or an error, never panics, hangs or
// writes past its bounds, and what it saves reads back. Seeds: a bundle
// as buildx lays it out, with and without log blobs. The corpus found is
// kept in testdata/fuzz/FuzzImportBundle and replayed by go test.
func FuzzImportBundle(f *testing.F) {
	tarOf := func(entries map[string][]byte) []byte {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for name, data := range entries {
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
			tw.Write(data)
		}
		tw.Close()
		return buf.Bytes()
	}
	f.Add(tarOf(bundleOf(f, "qk1yzqv9lyyzhoq2i0b6ex1ci")))
	f.Add(tarOf(bundleOf(f, "r1", []byte("log line\n"), bytes.Repeat([]byte{0}, 512))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(data)
		w.Close()
		dir := t.TempDir()
		file := filepath.Join(dir, "b.dockerbuild")
		if err := os.WriteFile(file, gz.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		h := history.History{Dir: filepath.Join(dir, "history")}
		builds, err := ImportBundle(context.Background(), h, file)
		if err != nil {
			return
		}
		for _, b := range builds {
			if _, err := h.Get(b.ID); err != nil {
				t.Errorf("imported build %q does not read back: %v", b.ID, err)
			}
		}
	})
}
