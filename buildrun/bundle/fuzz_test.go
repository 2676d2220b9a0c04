package bundle

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
)

// FuzzImportBundle feeds the reader of `history import` any tar (gzip'd
// as buildx writes bundles): Unpack returns a directory or an error,
// never panics, hangs or writes past its bounds; what it writes is
// index.json and blobs that hold the content their names say, and
// cleanup removes it. Seeds: a bundle as buildx lays it out, with and
// without log blobs. The corpus found is kept in
// testdata/fuzz/FuzzImportBundle and replayed by go test. This package
// holds no BuildKit, so that the fuzzer runs at speed (the same target in
// builderhistory ran 5 inputs in 1m50s).
func FuzzImportBundle(f *testing.F) {
	f.Add(tarBytes(bundleOf(f, "qk1yzqv9lyyzhoq2i0b6ex1ci")))
	f.Add(tarBytes(bundleOf(f, "r1", []byte("log line\n"), bytes.Repeat([]byte{0}, 512))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		w.Write(data)
		w.Close()
		file := filepath.Join(t.TempDir(), "b.dockerbuild")
		if err := os.WriteFile(file, gz.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		dir, cleanup, err := Unpack(file)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n") {
				t.Errorf("an error of more than one line: %q", err)
			}
			return
		}
		defer func() {
			cleanup()
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("cleanup left %s", dir)
			}
		}()
		blobs, _ := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
		for _, b := range blobs {
			data, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", b.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if got := digest.FromBytes(data).Encoded(); got != b.Name() {
				t.Errorf("blob %s written holds content of digest %s", b.Name(), got)
			}
		}
	})
}
