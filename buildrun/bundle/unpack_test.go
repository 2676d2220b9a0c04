package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// historyRecordMediaType is the media type of a record in a bundle.
const historyRecordMediaType = "application/vnd.buildkit.historyrecord.v0"

// bundleOf lays out the entries of a one-record bundle as buildx writes
// it: index.json naming the record's manifest, whose config is the
// record of ref (as buildx encodes it) and whose layers are the given
// blobs.
func bundleOf(t testing.TB, ref string, layers ...[]byte) map[string][]byte {
	t.Helper()
	entries := map[string][]byte{}
	blob := func(mt string, data []byte) ocispecs.Descriptor {
		entries[blobName(data)] = data
		return ocispecs.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data))}
	}
	rec, err := json.Marshal(map[string]string{"ref": ref, "DefaultPlatform": ""})
	if err != nil {
		t.Fatal(err)
	}
	mf := ocispecs.Manifest{MediaType: ocispecs.MediaTypeImageManifest, Config: blob(historyRecordMediaType, rec)}
	mf.SchemaVersion = 2
	for _, l := range layers {
		mf.Layers = append(mf.Layers, blob("application/octet-stream", l))
	}
	mfData, _ := json.Marshal(mf)
	idx := ocispecs.Index{Manifests: []ocispecs.Descriptor{blob(ocispecs.MediaTypeImageManifest, mfData)}}
	idx.SchemaVersion = 2
	entries["index.json"], _ = json.Marshal(idx)
	return entries
}

// writeBundle writes a gzip'd tar of the given entries.
func writeBundle(t *testing.T, entries map[string][]byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "b.dockerbuild")
	if err := os.WriteFile(f, gzipTar(entries), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// gzipTar is a gzip'd tar of the given entries.
func gzipTar(entries map[string][]byte) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(tarBytes(entries))
	gz.Close()
	return buf.Bytes()
}

// tarBytes is a tar of the given entries.
func tarBytes(entries map[string][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range entries {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.Close()
	return buf.Bytes()
}

func blobName(data []byte) string {
	sum := sha256.Sum256(data)
	return "blobs/sha256/" + hex.EncodeToString(sum[:])
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
	entries[blobName(unused)] = unused
	dir, cleanup, err := unpackWithin(writeBundle(t, entries), func(b *bounds) { b.smallEntry = 1024 })
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(blobName(used)))); err != nil {
		t.Errorf("the referenced blob was not written: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(blobName(unused)))); err == nil {
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
			e[blobName(big[:4<<10])] = big // the entry is named for its first 4 KiB
			return e
		}, "is 8192 bytes, but declared 4096"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			_, _, err := unpackWithin(writeBundle(t, c.entries(t)), c.set)
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err %v, want one line with %q", err, c.want)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left in the temp directory: %v", left)
			}
		})
	}
}
