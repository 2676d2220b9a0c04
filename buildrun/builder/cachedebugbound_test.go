package builder

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/buildrun/state"
)

// A cache-debug database past the limit is removed before the builder
// starts; one within it is kept.
func TestBoundCacheDebug(t *testing.T) {
	for _, tc := range []struct {
		size int64
		kept bool
	}{{cacheDebugLimit, true}, {cacheDebugLimit + 1, false}} {
		e := &Embedded{Paths: state.Paths{State: t.TempDir()}}
		if err := os.MkdirAll(e.Root(), 0o700); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(e.Root(), CacheDebugDB)
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(tc.size); err != nil { // sparse: no disk used
			t.Fatal(err)
		}
		f.Close()
		e.boundCacheDebug()
		if _, err := os.Stat(p); (err == nil) != tc.kept {
			t.Errorf("size %d: kept %v, want %v", tc.size, err == nil, tc.kept)
		}
	}
}
