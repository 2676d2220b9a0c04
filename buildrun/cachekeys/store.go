// Package cachekeys reads BuildKit's cache keys of a build's steps from
// the embedded builder's key store, and the LLB a build's provenance
// records; where the store is, and which file lists the history holds,
// are given to it (Store).
package cachekeys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/moby/buildkit/solver/bboltcachestorage"
	"github.com/moby/buildkit/util/cachedigest"
	bolt "go.etcd.io/bbolt"

	"github.com/buildscope/buildscope/buildrun/builder"
)

// BuildKit's cache keys, read from the embedded builder's state: buildkitd
// runs with --save-cache-debug, which keeps the plain text behind every
// digest that goes into a cache key (cache-debug.db) beside its key store
// (cache.db). Both are bolt databases the daemon holds locked, so they are
// read from copies, each as of one committed transaction (snapshot.go); a
// plain text is used only when it hashes to its digest. See
// cachekeys_map.go for how keys are tied to steps.

// keyStore is BuildKit's cache-key store: records by ID, each linked to
// the records of its op's inputs, and the plain texts behind digests.
type keyStore struct {
	recs  map[int]*keyRecord
	debug *bolt.Tx              // a read transaction on the copy of cache-debug.db
	texts map[string]*plainText // read so far, by digest (nil: none)
	lists *listCache
	// storedList reports whether the history holds the expanded file list
	// of a ref (model.KeyFilesRef); nil: expand every list
	storedList func(ref string) bool
	// missing counts the plain texts a file list's expansion needed and
	// the copy lacks: BuildKit writes them in goroutines of their own, so
	// a copy taken as the solve ends can miss the last few
	missing int
	// children of a record by its ID
	children map[int][]*keyRecord
}

// keyRecord is one record of the key store: a root (a source, or a
// content checksum) has a digest; any other is reached by its links.
// BuildKitID is the record's own ID in the store: what BuildKit keys the
// step's results by (a root's is its digest; another's is chosen when
// the record is made, and kept while the record is).
type keyRecord struct {
	ID         int
	BuildKitID string
	Digest     string
	Random     bool
	Parents    []keyLink
}

// plainText is what a digest was computed from.
type plainText struct {
	Type   cachedigest.Type
	Frames [][]byte
	Subs   []string // digests it names
}

// Text is the plain text in one string.
func (p *plainText) Text() string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range p.Frames {
		b.Write(f)
	}
	return b.String()
}

// readKeyStore reads the key store and the cache-debug database of the
// embedded builder whose root is root, from copies in a temporary dir
// under dir (buildscope's state: copies a killed process left there are
// removed by the next reader); the returned func closes them and
// removes the copies.
func readKeyStore(ctx context.Context, root, dir string) (*keyStore, func(), error) {
	if _, err := os.Stat(filepath.Join(root, builder.CacheDebugDB)); err != nil {
		return nil, nil, fmt.Errorf("the embedded builder keeps no cache keys (it runs without --save-cache-debug: `buildscope builder stop` and build again): %w", err)
	}
	if dir == "" {
		dir = os.TempDir()
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	removeStaleCopies(dir)
	tmp, err := os.MkdirTemp(dir, "buildscope-keys")
	if err != nil {
		return nil, nil, err
	}
	done := func() { os.RemoveAll(tmp) }
	fail := func(err error) (*keyStore, func(), error) { done(); return nil, nil, err }
	for _, f := range []string{"cache.db", builder.CacheDebugDB} {
		if err := snapshot(filepath.Join(root, f), filepath.Join(tmp, f)); err != nil {
			return fail(fmt.Errorf("copying BuildKit's %s: %w", f, err))
		}
	}
	store, err := bboltcachestorage.NewStore(filepath.Join(tmp, "cache.db"))
	if err != nil {
		return fail(fmt.Errorf("opening a copy of BuildKit's key store: %w", err))
	}
	recs, err := loadRecords(ctx, store)
	store.Close()
	if err != nil {
		return fail(fmt.Errorf("reading BuildKit's key store: %w", err))
	}
	db, err := bolt.Open(filepath.Join(tmp, builder.CacheDebugDB), 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		return fail(fmt.Errorf("opening a copy of BuildKit's cache-debug database: %w", err))
	}
	tx, err := db.Begin(false)
	if err != nil {
		db.Close()
		return fail(fmt.Errorf("reading a copy of BuildKit's cache-debug database: %w", err))
	}
	ks := &keyStore{recs: recs, debug: tx, texts: map[string]*plainText{}, children: map[int][]*keyRecord{}}
	for _, r := range ks.recs {
		seen := map[int]bool{}
		for _, l := range r.Parents {
			if !seen[l.Target] {
				seen[l.Target] = true
				ks.children[l.Target] = append(ks.children[l.Target], r)
			}
		}
	}
	return ks, func() { _ = tx.Rollback(); db.Close(); done() }, nil
}

// staleCopies is how old a directory of copies must be to be taken for
// one a killed reader left: a reading takes seconds.
const staleCopies = 10 * time.Minute

// removeStaleCopies removes the directories of copies under dir that
// readers killed before they could remove them left behind.
func removeStaleCopies(dir string) {
	old, _ := filepath.Glob(filepath.Join(dir, "buildscope-keys*"))
	for _, d := range old {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() && time.Since(fi.ModTime()) > staleCopies {
			os.RemoveAll(d)
		}
	}
}

var shaRe = regexp.MustCompile(`\bsha256:[a-f0-9]{64}\b`)

// text is the plain text behind digest d, nil when the database has none
// or what it has does not hash to d.
func (ks *keyStore) text(d string) *plainText {
	if p, ok := ks.texts[d]; ok {
		return p
	}
	ks.texts[d] = nil
	b := ks.debug.Bucket([]byte("byhash"))
	if b == nil {
		return nil
	}
	v := b.Get([]byte(d))
	if v == nil {
		return nil
	}
	// frames: [id uint32][len uint32][data], big-endian (util/cachedigest)
	p := &plainText{}
	h, skipped := sha256.New(), false
	for i := 0; i < len(v); {
		if i+8 > len(v) {
			return nil
		}
		id, n := binary.BigEndian.Uint32(v[i:]), int(binary.BigEndian.Uint32(v[i+4:]))
		if i+8+n > len(v) {
			return nil
		}
		data := v[i+8 : i+8+n]
		i += 8 + n
		switch cachedigest.FrameID(id) {
		case cachedigest.FrameIDType:
			p.Type = cachedigest.Type(data)
		case cachedigest.FrameIDData:
			p.Frames = append(p.Frames, bytes.Clone(data))
			h.Write(data)
		default:
			skipped = true // a file's content, hashed without being kept
		}
	}
	typ := p.Type
	if !skipped && "sha256:"+hex.EncodeToString(h.Sum(nil)) != d {
		return nil
	}
	data := p.Text()
	switch typ {
	case cachedigest.TypeString:
		p.Subs = shaRe.FindAllString(data, -1)
	case cachedigest.TypeDigestList:
		p.Subs = strings.Split(data, "\x00")
	}
	ks.texts[d] = p
	return p
}

// chain is the plain text of d followed by those of the digests it names,
// depth first: what a root's or a link's digest stands for.
func (ks *keyStore) chain(d string) []*plainText {
	var out []*plainText
	seen := map[string]bool{}
	var walk func(d string)
	walk = func(d string) {
		if seen[d] {
			return
		}
		p := ks.text(d)
		if p == nil {
			return
		}
		seen[d] = true
		out = append(out, p)
		for _, s := range p.Subs {
			walk(s)
		}
	}
	walk(d)
	return out
}

// typeOf is the type of the plain text behind d, read from its first
// frame only ("" when there is none): telling a directory's file list
// from a file without reading every file's record.
func (ks *keyStore) typeOf(d string) cachedigest.Type {
	if p, ok := ks.texts[d]; ok && p != nil {
		return p.Type
	}
	b := ks.debug.Bucket([]byte("byhash"))
	if b == nil {
		return ""
	}
	v := b.Get([]byte(d))
	if len(v) < 8 || cachedigest.FrameID(binary.BigEndian.Uint32(v)) != cachedigest.FrameIDType {
		return ""
	}
	n := int(binary.BigEndian.Uint32(v[4:]))
	if 8+n > len(v) {
		return ""
	}
	return cachedigest.Type(v[8 : 8+n])
}

// sourceText is the plain text of a root that is a source, with what it
// names (three levels at most: the root's key, the source's key, its
// JSON); "" for a root that is no source (a content checksum, whose file
// lists are not read here).
func (ks *keyStore) sourceText(d string) string {
	var b strings.Builder
	for depth := 0; depth < 3 && d != ""; depth++ {
		p := ks.text(d)
		if p == nil || (p.Type != cachedigest.TypeString && p.Type != cachedigest.TypeJSON) {
			break
		}
		b.WriteString(p.Text())
		b.WriteByte('\n')
		d = ""
		if len(p.Subs) == 1 {
			d = p.Subs[0]
		}
	}
	if !strings.Contains(b.String(), "buildkit.source.v0:") {
		return ""
	}
	return b.String()
}

// files expands the checksum d of selected files into path → digest:
// a file list names files and directories (whose digest is a list of
// their own); a single file's checksum is its own record, under name.
func (ks *keyStore) files(d, name string, out map[string]string, depth int) {
	if depth > 64 {
		return
	}
	if l := ks.listing(d); l != nil {
		for _, e := range l {
			sub := strings.Trim(name+"/"+e.Rel, "/")
			if e.List {
				ks.files(e.Digest, sub, out, depth+1)
				continue
			}
			if sub == "" {
				sub = "."
			}
			out[sub] = e.Digest
		}
		return
	}
	if ks.text(d) == nil {
		ks.missing++
		return
	}
	if name == "" {
		name = "."
	}
	out[name] = d
}
