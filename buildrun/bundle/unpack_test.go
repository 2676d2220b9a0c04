package bundle

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/bundle/bundletest"
)

// bundleOf is a one-record bundle's entries (bundletest.Entries) whose
// record is ref's, as buildx encodes it.
func bundleOf(t testing.TB, ref string, layers ...[]byte) map[string][]byte {
	t.Helper()
	rec, err := json.Marshal(map[string]string{"ref": ref, "DefaultPlatform": ""})
	if err != nil {
		t.Fatal(err)
	}
	return bundletest.Entries(t, rec, layers...)
}

// unpackWithin is Unpack of file within the bounds set changes.
func unpackWithin(file string, set func(*bounds)) (string, func(), error) {
	b := importBounds
	set(&b)
	return unpack(archive{file, func() (io.ReadCloser, error) { return os.Open(file) }, b})
}

// Only the blobs a record references are written, each within its
// declared size: an unreferenced blob (a gzip bomb's payload) is read
// past, never written.
func TestUnpackBundleWritesOnlyReferencedBlobs(t *testing.T) {
	used := bytes.Repeat([]byte("log "), 1024) // a large referenced blob
	unused := bytes.Repeat([]byte{0}, 64<<10)  // a large blob nothing names
	entries := bundleOf(t, "r1", used)
	entries[bundletest.BlobName(unused)] = unused
	dir, cleanup, err := unpackWithin(bundletest.Write(t, entries), func(b *bounds) { b.smallEntry = 1024 })
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(bundletest.BlobName(used)))); err != nil {
		t.Errorf("the referenced blob was not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(bundletest.BlobName(unused)))); err == nil {
		t.Error("a blob no record references was written to the temp directory")
	}
}

// Past a bound, a bundle is refused in one line naming the bound, before
// anything is written.
func TestUnpackBundleBounds(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 8<<10)
	for _, c := range []struct {
		name    string
		set     func(*bounds)
		entries func(t *testing.T) map[string][]byte
		want    string
	}{
		{"a gzip bomb inflates past the bound", func(b *bounds) { b.inflated = 32 << 10 }, func(t *testing.T) map[string][]byte {
			e := bundleOf(t, "r1")
			e["padding"] = make([]byte, 1<<20)
			return e
		}, "inflates to more than 32KiB, more than a `docker buildx history export` bundle an import takes: refused"},
		{"records reference more than an import takes", func(b *bounds) { b.referenced = 4 << 10 }, func(t *testing.T) map[string][]byte {
			return bundleOf(t, "r1", big)
		}, "its records reference 8.406KiB of blobs, more than the 4KiB an import takes"},
		{"many small entries", func(b *bounds) { b.smallTotal = 4 << 10 }, func(t *testing.T) map[string][]byte {
			return bundleOf(t, "r1", big)
		}, "holds more than 4KiB of small entries"},
		{"a blob larger than declared", func(b *bounds) { b.smallEntry = 1 << 10 }, func(t *testing.T) map[string][]byte {
			e := bundleOf(t, "r1", big[:4<<10])
			e[bundletest.BlobName(big[:4<<10])] = big // the entry is named for its first 4 KiB
			return e
		}, "is 8192 bytes, but declared 4096"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			_, _, err := unpackWithin(bundletest.Write(t, c.entries(t)), c.set)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err %v, want one line with %q", err, c.want)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left in the temp directory: %v", left)
			}
		})
	}
}
