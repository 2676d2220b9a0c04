package cachekeys

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/util/cachedigest"

	"github.com/buildscope/buildscope/buildrun/state"
)

// listCache keeps the directory listings read from BuildKit's file-list
// checksums by the last build: a file list's digest names its content,
// so a listing read once never changes. A warm build expands its context
// from here (one file) instead of one database read per file, and an
// edit reads only the directories that changed.
type listCache struct {
	path   string
	loaded bool
	lists  map[string][]listEntry // by file-list digest
	used   map[string][]listEntry
	// read says a listing came from the database, not from lists.
	read bool
}

// listEntry is one entry of a directory listing: a file, or a directory
// (List) whose digest is its own listing.
type listEntry struct {
	Rel, Digest string
	List        bool
}

// lazyListCache is the cache kept in dir, read when a listing is first
// asked for: a build whose file lists are all stored in the history
// already reads none.
func lazyListCache(dir string) *listCache {
	return &listCache{path: filepath.Join(dir, "cache-key-lists.gob"), lists: map[string][]listEntry{}, used: map[string][]listEntry{}}
}

func (c *listCache) load() {
	if c.loaded {
		return
	}
	c.loaded = true
	if b, err := os.ReadFile(c.path); err == nil {
		_ = gob.NewDecoder(bytes.NewReader(b)).Decode(&c.lists)
	}
}

// save keeps the listings this build used; the file is left as it is
// when they are the ones it holds (every one came from it: a warm or a
// --no-cache build of the same context), which spares rewriting it.
func (c *listCache) save() error {
	if c == nil || len(c.used) == 0 || !c.read && len(c.used) == len(c.lists) {
		return nil
	}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(c.used); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return err
	}
	return state.WriteFileAtomic(c.path, b.Bytes(), 0o600)
}

// listing is the listing of file list d, from the cache or the database
// (nil when d is no file list the database holds).
func (ks *keyStore) listing(d string) []listEntry {
	if ks.lists != nil {
		ks.lists.load()
		if l, ok := ks.lists.lists[d]; ok {
			ks.lists.used[d] = l
			return l
		}
	}
	p := ks.text(d)
	if p == nil || p.Type != cachedigest.TypeFileList {
		return nil
	}
	l := []listEntry{}
	for i := 0; i+1 < len(p.Frames); i += 2 {
		child := string(p.Frames[i+1])
		l = append(l, listEntry{
			Rel:    strings.Trim(strings.ReplaceAll(string(p.Frames[i]), "\x00", "/"), "/"),
			Digest: child,
			List:   ks.typeOf(child) == cachedigest.TypeFileList,
		})
	}
	if ks.lists != nil {
		ks.lists.used[d], ks.lists.read = l, true
	}
	return l
}
