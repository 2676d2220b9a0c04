// Package buildctx hashes the files of a build's context (a walk that
// honours .dockerignore, a cache of what was hashed, a prewarm while the
// build runs) and gives the context as a file system whose unreadable
// files are errors that name them.
package buildctx

import (
	"context"
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
// while the digests of an earlier build are read. A walk that ctx ended
// stays ended: its error is every later call's.
func (h *contextHasher) list(ctx context.Context) error {
	h.once.Do(func() {
		loaded := make(chan map[string]hashEntry, 1)
		go func() { loaded <- readHashCache(h.cacheFile) }()
		h.listErr = h.walk(ctx)
		h.cache = <-loaded
	})
	return h.listErr
}

// Hash returns path → digest for the files the sources select. It stops,
// with ctx's error, between two files (or two reads of one) once ctx is
// done: a build canceled after its solve does not wait for a large
// context to be hashed.
func (h *contextHasher) Hash(ctx context.Context, sources []string) (map[string]string, error) {
	if err := h.list(ctx); err != nil {
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
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				d, err := h.digestFile(ctx, f)
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
func (h *contextHasher) digestFile(ctx context.Context, f *ctxFile) (string, error) {
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
		_, err = io.Copy(d, ctxReader{ctx, fh})
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

// ctxReader reads r until ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
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

// Hash is the digests of the files sources select in the named context
// ("": the build's), nil for a context that is no local directory. It
// stops with ctx's error once ctx is done.
func (hs Hashers) Hash(ctx context.Context, name string, sources []string) (map[string]string, error) {
	h, ok := hs[name]
	if !ok {
		return nil, nil
	}
	return h.Hash(ctx, sources)
}

// HashFunc is Hash under ctx, as fold.AttachInputs takes it.
func (hs Hashers) HashFunc(ctx context.Context) func(name string, sources []string) (map[string]string, error) {
	return func(name string, sources []string) (map[string]string, error) { return hs.Hash(ctx, name, sources) }
}

// Save keeps what each hasher hashed, for the next build (errors ignored).
func (hs Hashers) Save() {
	for _, h := range hs {
		_ = h.save()
	}
}
