package cachekeys

import (
	"os"
	"path/filepath"
	"testing"
)

// The listing cache is rewritten only when a build used listings it did
// not hold, or fewer than it holds: a warm or --no-cache build of the
// same context (every listing from the cache) leaves the file as it is,
// which spared its rewrite (1.7 MB for a 20k-file context) at the end of
// every such build.
func TestListCacheRewrittenOnlyWhenItChanges(t *testing.T) {
	dir := t.TempDir()
	first := lazyListCache(dir)
	first.used["sha256:a"] = []listEntry{{Rel: "a.txt", Digest: "sha256:1"}}
	first.used["sha256:b"] = []listEntry{{Rel: "b.txt", Digest: "sha256:2"}}
	first.read = true
	if err := first.save(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cache-key-lists.gob")
	stat := func() os.FileInfo {
		t.Helper()
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi
	}
	before := stat()
	// the same listings, all from the cache: left as it is
	same := lazyListCache(dir)
	same.load()
	for d, l := range same.lists {
		same.used[d] = l
	}
	if err := same.save(); err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, stat()) {
		t.Errorf("the cache was rewritten though it holds every listing the build used")
	}
	// fewer listings: rewritten to keep only those
	fewer := lazyListCache(dir)
	fewer.load()
	fewer.used["sha256:a"] = fewer.lists["sha256:a"]
	if err := fewer.save(); err != nil {
		t.Fatal(err)
	}
	after := lazyListCache(dir)
	after.load()
	if os.SameFile(before, stat()) || len(after.lists) != 1 {
		t.Errorf("after a build that used one listing the cache holds %d", len(after.lists))
	}
}
