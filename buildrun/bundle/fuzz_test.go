package bundle

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/buildrun/bundle/bundletest"
)

// FuzzImportBundle feeds the reader of `history import` any archive, in
// memory (a tar, or gzip'd as buildx writes bundles; the reader takes
// both): it returns a directory or an error of one line, never panics,
// hangs or writes past its bounds; what it writes is index.json and blobs
// that hold the content their names say, and cleanup removes it. Seeds: a
// bundle as buildx lays it out, with and without log blobs, plain and
// gzip'd. The corpus found is kept in testdata/fuzz/FuzzImportBundle and
// replayed by go test. This package holds no BuildKit, and the input is
// read from memory: the same target in builderhistory ran 5 inputs in
// 1m50s, and through a file here the fuzzer spent its time minimising.
func FuzzImportBundle(f *testing.F) {
	f.Add(bundletest.Tar(bundleOf(f, "qk1yzqv9lyyzhoq2i0b6ex1ci")))
	f.Add(bundletest.Tar(bundleOf(f, "r1", []byte("log line\n"), bytes.Repeat([]byte{0}, 512))))
	f.Add(bundletest.GzipTar(bundleOf(f, "r2", []byte("log"))))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir, cleanup, err := unpack(archive{"b.dockerbuild", func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		}, importBounds})
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
