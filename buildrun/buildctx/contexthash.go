// Package buildctx hashes the files of a build's context (a walk that
// honours .dockerignore, a cache of what was hashed, a prewarm while the
// build runs) and gives the context as a file system whose unreadable
// files are errors that name them.
package buildctx

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// contextHasher gives the content digests of the build-context files a
// COPY or ADD selects, after .dockerignore. The context is listed once;
// only selected files are read, and a file whose size, mtime and inode are
// unchanged since an earlier build is not read again (the digests are
// cached in the state dir).
type contextHasher struct {
	dir       string
	ignore    string // the ignore file: .dockerignore, or <Dockerfile>.dockerignore
	cacheFile string
	once      sync.Once
	files     []ctxFile // not ignored, with their stat from the walk
	listErr   error
	cache     map[string]hashEntry
	dirty     bool
}

type hashEntry struct {
	Size   int64
	MTime  int64
	Ino    uint64
	Digest string
}

// NewHasher hashes the files of context dir. dockerfile, when not
// "", is the Dockerfile the build reads: as BuildKit does, an ignore file
// named after it (build.Dockerfile.dockerignore, beside it) takes the
// place of the context's .dockerignore.
func NewHasher(dir, dockerfile, cacheDir string) *contextHasher {
	sum := sha256.Sum256([]byte(dir))
	ignore := filepath.Join(dir, ".dockerignore")
	if dockerfile != "" {
		if own := dockerfile + ".dockerignore"; fileExists(own) {
			ignore = own
		}
	}
	return &contextHasher{dir: dir, ignore: ignore, cacheFile: filepath.Join(cacheDir, "context-"+hex.EncodeToString(sum[:8])+".gob")}
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// list walks the context once, skipping what the ignore file excludes,
// while the digests of an earlier build are read.
func (h *contextHasher) list() error {
	h.once.Do(func() {
		loaded := make(chan map[string]hashEntry, 1)
		go func() { loaded <- readHashCache(h.cacheFile) }()
		h.listErr = h.walk()
		h.cache = <-loaded
	})
	return h.listErr
}

// Hash returns path → digest for the files the sources select.
func (h *contextHasher) Hash(sources []string) (map[string]string, error) {
	if err := h.list(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, src := range sources {
		if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") {
			continue // ADD from a URL or git: not the context
		}
		pat := strings.TrimPrefix(path.Clean("/"+filepath.ToSlash(src)), "/")
		for i := range h.files {
			f := &h.files[i]
			if !selects(pat, f.rel) {
				continue
			}
			if f.digest == "" { // digested once a build, however many sources select it
				d, err := h.digestFile(f)
				if err != nil {
					return nil, err
				}
				f.digest = d
			}
			out[f.rel] = f.digest
		}
	}
	return out, nil
}

// selects reports whether source pattern pat (relative, "" for the whole
// context) selects file f: f itself, a file under it, or a glob match of
// f or one of its parents.
func selects(pat, f string) bool {
	if pat == "" || pat == "." || f == pat || strings.HasPrefix(f, pat+"/") {
		return true
	}
	if !strings.ContainsAny(pat, "*?[") {
		return false
	}
	for p := f; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		if ok, _ := path.Match(pat, p); ok {
			return true
		}
	}
	return false
}

// digestFile is the content digest of f: from the cache when its size,
// mtime and inode are those of the walk, else read.
func (h *contextHasher) digestFile(f *ctxFile) (string, error) {
	rel, e := f.rel, f.stat
	if c, ok := h.cache[rel]; ok && c.Size == e.Size && c.MTime == e.MTime && c.Ino == e.Ino {
		return c.Digest, nil
	}
	p := filepath.Join(h.dir, filepath.FromSlash(rel))
	d := sha256.New()
	if f.symlink {
		target, err := os.Readlink(p)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", p, err)
		}
		io.WriteString(d, "symlink:"+target)
	} else {
		fh, err := os.Open(p)
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", p, err)
		}
		_, err = io.Copy(d, fh)
		fh.Close()
		if err != nil {
			return "", fmt.Errorf("reading %s: %w", p, err)
		}
	}
	e.Digest = "sha256:" + hex.EncodeToString(d.Sum(nil))
	h.cache[rel] = e
	h.dirty = true
	return e.Digest, nil
}

// save writes the digest cache back.
func (h *contextHasher) save() error {
	if !h.dirty {
		return nil
	}
	if err := writeHashCache(h.cacheFile, h.cache); err != nil && !errors.Is(err, os.ErrPermission) {
		return err
	}
	return nil
}

// Hashers hash the build context and the named contexts that are
// local directories (--build-context NAME=DIR).
type Hashers map[string]*contextHasher

// Hash is a fold.HashFunc: nil for a context that is no local directory.
func (hs Hashers) Hash(context string, sources []string) (map[string]string, error) {
	h, ok := hs[context]
	if !ok {
		return nil, nil
	}
	return h.Hash(sources)
}

// Save keeps what each hasher hashed, for the next build (errors ignored).
func (hs Hashers) Save() {
	for _, h := range hs {
		_ = h.save()
	}
}
