package builder

import (
	"os"
	"path/filepath"
)

// cacheDebugLimit bounds BuildKit's cache-debug database, which it never
// prunes and buildscope copies after each build to read a build's keys.
const cacheDebugLimit = 128 << 20

// CacheDebugDB is the database --save-cache-debug writes in the root.
const CacheDebugDB = "cache-debug.db"

// boundCacheDebug removes the cache-debug database of a builder about to
// start when it has grown past cacheDebugLimit. What it held explained
// builds made before; `why` of the next build against them falls back to
// the recorded inputs and says so.
func (e *Embedded) boundCacheDebug() {
	p := filepath.Join(e.Root(), CacheDebugDB)
	if fi, err := os.Stat(p); err == nil && fi.Size() > cacheDebugLimit {
		_ = os.Remove(p)
	}
}
