package cdiff

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Whiteout names in layer tars (the OCI image spec's, from AUFS).
const (
	whiteoutPrefix = ".wh."
	opaqueMarker   = ".wh..wh..opq"
)

// DefaultMaxKeep is the largest file whose content ReadOptions.Keep may keep.
const DefaultMaxKeep = 1 << 20

// ReadOptions tune how tar streams are read.
type ReadOptions struct {
	// Keep says whether to keep the content of a regular file (no larger
	// than MaxKeep) in memory, for content diffs. It is called after the
	// content is hashed, so e.Digest is set. Nil keeps nothing.
	Keep func(e *Entry) bool
	// MaxKeep bounds kept content; zero means DefaultMaxKeep.
	MaxKeep int64
}

// KeepAll keeps every small file's content.
func KeepAll(*Entry) bool { return true }

// KeepPaths keeps the content of the given paths only.
func KeepPaths(paths map[string]bool) func(*Entry) bool {
	return func(e *Entry) bool { return paths[e.Path] }
}

// entryFromHeader turns a tar header into an Entry (content not read).
func entryFromHeader(h *tar.Header) *Entry {
	e := &Entry{
		Path:     Clean(h.Name),
		Mode:     h.FileInfo().Mode(),
		UID:      h.Uid,
		GID:      h.Gid,
		Size:     h.Size,
		ModTime:  h.ModTime,
		Linkname: h.Linkname,
		Devmajor: h.Devmajor,
		Devminor: h.Devminor,
	}
	switch h.Typeflag {
	case tar.TypeSymlink:
		e.Size = int64(len(h.Linkname))
	case tar.TypeDir, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		e.Size = 0
	}
	if h.Typeflag != tar.TypeSymlink {
		e.Linkname = ""
	}
	if c, ok := h.PAXRecords["SCHILY.xattr.security.capability"]; ok {
		e.Caps = []byte(c)
	}
	return e
}

// readContent hashes a regular file's content and keeps it if asked.
func readContent(e *Entry, r io.Reader, o ReadOptions) error {
	max := o.MaxKeep
	if max == 0 {
		max = DefaultMaxKeep
	}
	h := sha256.New()
	var buf *bytes.Buffer
	w := io.Writer(h)
	if o.Keep != nil && e.Size <= max {
		buf = bytes.NewBuffer(make([]byte, 0, e.Size))
		w = io.MultiWriter(h, buf)
	}
	if _, err := io.Copy(w, r); err != nil {
		return fmt.Errorf("reading %s: %w", e.Path, err)
	}
	e.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil))
	if buf != nil && o.Keep(e) {
		e.content = buf.Bytes()
	}
	return nil
}

// eachEntry reads a tar stream and calls fn for every member; hard links
// take the metadata and content of their target, looked up with target.
func eachEntry(r io.Reader, o ReadOptions, target func(string) *Entry, fn func(e *Entry, name string) error) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tar: %w", err)
		}
		e := entryFromHeader(h)
		switch h.Typeflag {
		case tar.TypeReg:
			if err := readContent(e, tr, o); err != nil {
				return err
			}
		case tar.TypeLink:
			if t := target(Clean(h.Linkname)); t != nil {
				c := *t
				c.Path = e.Path
				e = &c
			} else {
				e.Mode, e.Linkname = e.Mode.Perm(), ""
			}
		case tar.TypeXGlobalHeader:
			continue
		}
		if err := fn(e, path.Base(e.Path)); err != nil {
			return err
		}
	}
}

func (t *Tree) lookup(p string) *Entry {
	if n := t.find(p); n != nil {
		return n.e
	}
	return nil
}

// ApplyLayer applies an image layer (or a whole filesystem, such as a
// `docker export` tarball) to t: whiteouts delete what lower layers made,
// opaque markers empty a directory of them.
func (t *Tree) ApplyLayer(r io.Reader, o ReadOptions) error {
	fresh := map[string]bool{}
	clear := func(dir string) {
		n := t.find(dir)
		if n == nil {
			return
		}
		for name := range n.kids {
			if p := path.Join(dir, name); !fresh[p] {
				delete(n.kids, name)
			}
		}
	}
	return eachEntry(r, o, t.lookup, func(e *Entry, base string) error {
		switch {
		case base == opaqueMarker:
			clear(path.Dir(e.Path))
		case strings.HasPrefix(base, whiteoutPrefix):
			if p := path.Join(path.Dir(e.Path), base[len(whiteoutPrefix):]); !fresh[p] {
				t.Remove(p)
			}
		default:
			if old := t.lookup(e.Path); old != nil && old.IsDir() && !e.IsDir() {
				t.Remove(e.Path)
			}
			t.Put(e)
			fresh[e.Path] = true
		}
		return nil
	})
}

// ReadChanges reads a layer of changes (a diff layer with whiteouts) into a
// tree that keeps the whiteouts as Entry.Whiteout and opaque directories as
// Entry.Opaque. A whiteout together with a new object of the same name is a
// replacement: for a directory, an opaque one.
func ReadChanges(r io.Reader, o ReadOptions) (*Tree, error) {
	t := NewTree()
	err := eachEntry(r, o, t.lookup, func(e *Entry, base string) error {
		switch {
		case base == opaqueMarker:
			t.mkdirAll(path.Dir(e.Path)).e.Opaque = true
		case strings.HasPrefix(base, whiteoutPrefix):
			p := path.Join(path.Dir(e.Path), base[len(whiteoutPrefix):])
			if old := t.lookup(p); old != nil && !old.Whiteout {
				old.Opaque = old.IsDir()
				return nil
			}
			t.Put(&Entry{Path: p, Mode: fs.ModeCharDevice | fs.ModeDevice, Whiteout: true, ModTime: e.ModTime})
		default:
			if old := t.lookup(e.Path); old != nil {
				e.Opaque = e.IsDir() && (old.Whiteout || old.Opaque)
			}
			t.Put(e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Opener opens one uncompressed layer tar.
type Opener func() (io.ReadCloser, error)

// ReadImage applies an image's layers, bottom first, to a new tree.
func ReadImage(layers []Opener, o ReadOptions) (*Tree, error) {
	t := NewTree()
	for i, open := range layers {
		rc, err := open()
		if err != nil {
			return nil, fmt.Errorf("opening layer %d: %w", i, err)
		}
		err = t.ApplyLayer(rc, o)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("layer %d: %w", i, err)
		}
	}
	return t, nil
}
