package builderhistory

import (
	"context"
	"encoding/json"
	"os"
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
