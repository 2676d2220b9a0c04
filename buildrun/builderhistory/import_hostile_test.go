package builderhistory

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/buildrun/history"
)

// bundleOf lays out the entries of a one-record bundle as buildx writes
// it: index.json naming the record's manifest, whose config is the
// record of ref and whose layers are the given blobs.
func bundleOf(t testing.TB, ref string, layers ...[]byte) map[string][]byte {
	t.Helper()
	entries := map[string][]byte{}
	blob := func(mt string, data []byte) ocispecs.Descriptor {
		entries[blobName(data)] = data
		return ocispecs.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data))}
	}
	rec, err := json.Marshal(bundleRecord{BuildHistoryRecord: &controlapi.BuildHistoryRecord{Ref: ref}})
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

// lower sets a bound for one test.
func lower(t *testing.T, v *int64, to int64) {
	old := *v
	*v = to
	t.Cleanup(func() { *v = old })
}

// Only the blobs a record references are written, each within its
// declared size: an unreferenced blob (a gzip bomb's payload) is read
// past, never written.
func TestUnpackBundleWritesOnlyReferencedBlobs(t *testing.T) {
	lower(t, &maxSmallEntry, 1024)
	used := bytes.Repeat([]byte("log "), 1024) // a large referenced blob
	unused := bytes.Repeat([]byte{0}, 64<<10)  // a large blob nothing names
	entries := bundleOf(t, "r1", used)
	entries[blobName(unused)] = unused
	dir, cleanup, err := unpackBundle(writeBundle(t, entries))
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
		bound   *int64
		to      int64
		entries func(t *testing.T) map[string][]byte
		want    string
	}{
		{"a gzip bomb inflates past the bound", &maxInflated, 32 << 10, func(t *testing.T) map[string][]byte {
			e := bundleOf(t, "r1")
			e["padding"] = make([]byte, 1<<20)
			return e
		}, "inflates to more than 32KiB, more than a `docker buildx history export` bundle an import takes: refused"},
		{"records reference more than an import takes", &maxReferenced, 4 << 10, func(t *testing.T) map[string][]byte {
			return bundleOf(t, "r1", big)
		}, "its records reference 8.406KiB of blobs, more than the 4KiB an import takes"},
		{"many small entries", &maxSmallTotal, 4 << 10, func(t *testing.T) map[string][]byte {
			return bundleOf(t, "r1", big)
		}, "holds more than 4KiB of small entries"},
		{"a blob larger than declared", &maxSmallEntry, 1 << 10, func(t *testing.T) map[string][]byte {
			e := bundleOf(t, "r1", big[:4<<10])
			e[blobName(big[:4<<10])] = big // the entry is named for its first 4 KiB
			return e
		}, "is 8192 bytes, but declared 4096"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lower(t, c.bound, c.to)
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			_, _, err := unpackBundle(writeBundle(t, c.entries(t)))
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("err %v, want one line with %q", err, c.want)
			}
			if left, _ := os.ReadDir(tmp); len(left) != 0 {
				t.Errorf("left in the temp directory: %v", left)
			}
		})
	}
}

// A ref that cannot name a record (a terminal escape, a line break, a
// keyword, a path) is refused at import with the reason, and nothing is
// saved; a ref as BuildKit makes it is imported.
func TestImportBundleValidatesRefs(t *testing.T) {
	for _, c := range []struct{ ref, want string }{
		{"\x1b[31mred\nforged", `build ID "\e[31mred\nforged" cannot name a record`},
		{".", `build ID "." cannot name a record`},
		{"last", `build ID "last" cannot name a record: it names the latest build (build:last)`},
		{"build:x", `build ID "build:x" cannot name a record`},
		{"../..", `build ID "../.." cannot name a record`},
		{"last~1", `build ID "last~1" cannot name a record`},
	} {
		t.Run(c.ref, func(t *testing.T) {
			h := history.History{Dir: t.TempDir()}
			_, err := ImportBundle(context.Background(), h, writeBundle(t, bundleOf(t, c.ref)))
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("err %v, want %q", err, c.want)
			}
			if left, _ := os.ReadDir(h.Dir); len(left) != 0 {
				t.Errorf("saved: %v", left)
			}
		})
	}
	h := history.History{Dir: t.TempDir()}
	builds, err := ImportBundle(context.Background(), h, writeBundle(t, bundleOf(t, "qk1yzqv9lyyzhoq2i0b6ex1ci")))
	if err != nil || len(builds) != 1 {
		t.Fatalf("a BuildKit ref: %v", err)
	}
	if _, err := h.Get(builds[0].ID); err != nil {
		t.Error(err)
	}
}
