package builderhistory

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"

	"github.com/buildscope/buildscope/buildrun/bundle/bundletest"
	"github.com/buildscope/buildscope/buildrun/history"
)

// bundleOf is a one-record bundle's entries (bundletest.Entries) whose
// record is ref's, as buildx encodes it.
func bundleOf(t testing.TB, ref string, layers ...[]byte) map[string][]byte {
	t.Helper()
	rec, err := json.Marshal(bundleRecord{BuildHistoryRecord: &controlapi.BuildHistoryRecord{Ref: ref}})
	if err != nil {
		t.Fatal(err)
	}
	return bundletest.Entries(t, rec, layers...)
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
			_, err := ImportBundle(context.Background(), h, bundletest.Write(t, bundleOf(t, c.ref)))
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("err %v, want %q", err, c.want)
			}
			if left, _ := os.ReadDir(h.Dir); len(left) != 0 {
				t.Errorf("saved: %v", left)
			}
		})
	}
	h := history.History{Dir: t.TempDir()}
	builds, err := ImportBundle(context.Background(), h, bundletest.Write(t, bundleOf(t, "qk1yzqv9lyyzhoq2i0b6ex1ci")))
	if err != nil || len(builds) != 1 {
		t.Fatalf("a BuildKit ref: %v", err)
	}
	if _, err := h.Get(builds[0].ID); err != nil {
		t.Error(err)
	}
}
