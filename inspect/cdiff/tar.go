package cdiff

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"path"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// DefaultMaxKeep is the largest file whose content ReadOptions.Keep may keep.
const DefaultMaxKeep = layertar.DefaultMaxKeep

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

// abs is the absolute path of a layertar path.
func abs(p string) string { return "/" + p }

// entryFromHeader turns a member's header into an Entry at path p
// (content not read).
func entryFromHeader(h *tar.Header, p string) *Entry {
	e := &Entry{
		Path:     p,
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

// eachEntry reads a layer tar with layertar, hashing every regular file,
// and calls fn for every member: puts as Entries (hard links take the
// metadata and content of their target, looked up with target),
// whiteouts and opaque markers as they come.
func eachEntry(r io.Reader, o ReadOptions, target func(string) *Entry, fn func(le *layertar.Entry, e *Entry) error) error {
	lo := layertar.Options{Digests: true, MaxKeep: o.MaxKeep}
	if o.Keep != nil {
		lo.Keep = func(le *layertar.Entry) bool {
			e := entryFromHeader(le.Header, abs(le.Path))
			e.Digest = le.Digest
			return o.Keep(e)
		}
	}
	_, err := layertar.Read(r, lo, func(le *layertar.Entry) error {
		if le.Op != layertar.Put {
			return fn(le, nil)
		}
		e := entryFromHeader(le.Header, abs(le.Path))
		e.Digest, e.content = le.Digest, le.Content
		if le.Header.Typeflag == tar.TypeLink {
			if t := target(abs(le.Link)); t != nil {
				c := *t
				c.Path = e.Path
				e = &c
			} else {
				e.Mode, e.Linkname = e.Mode.Perm(), ""
			}
		}
		return fn(le, e)
	})
	return err
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
	return eachEntry(r, o, t.lookup, func(le *layertar.Entry, e *Entry) error {
		switch le.Op {
		case layertar.Opaque:
			clear(abs(le.Path))
		case layertar.Whiteout:
			if p := abs(le.Path); !fresh[p] {
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
	err := eachEntry(r, o, t.lookup, func(le *layertar.Entry, e *Entry) error {
		switch le.Op {
		case layertar.Opaque:
			t.mkdirAll(abs(le.Path)).e.Opaque = true
		case layertar.Whiteout:
			p := abs(le.Path)
			if old := t.lookup(p); old != nil && !old.Whiteout {
				old.Opaque = old.IsDir()
				return nil
			}
			t.Put(&Entry{Path: p, Mode: fs.ModeCharDevice | fs.ModeDevice, Whiteout: true, ModTime: le.Header.ModTime})
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

// ImageTree reads an image's filesystem, keeping the content of keep.
func ImageTree(img v1.Image, keep map[string]bool) (*Tree, error) {
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image's layers: %w", err)
	}
	openers := make([]Opener, len(layers))
	for i, l := range layers {
		openers[i] = l.Uncompressed
	}
	ro := ReadOptions{}
	if len(keep) > 0 {
		ro.Keep = KeepPaths(keep)
	}
	t, err := ReadImage(openers, ro)
	if err != nil {
		return nil, fmt.Errorf("reading the image's filesystem: %w", err)
	}
	return t, nil
}
