package cdiff

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// FS is a read-only view of a filesystem: an image's or a container's.
// Paths are absolute and clean; "/" is the root.
type FS interface {
	// Lstat describes the object at p without following a symlink; it
	// returns an error satisfying errors.Is(err, fs.ErrNotExist) when
	// there is none.
	Lstat(p string) (*Entry, error)
	// ReadDir lists the names in directory p, sorted bytewise.
	ReadDir(p string) ([]string, error)
	// Open opens the content of the regular file at p.
	Open(p string) (io.ReadCloser, error)
}

// Tree is an in-memory FS, built from tar streams.
type Tree struct {
	root *node
}

type node struct {
	e    *Entry
	kids map[string]*node
}

// NewTree returns a tree holding only the root directory.
func NewTree() *Tree {
	return &Tree{root: &node{e: &Entry{Path: "/", Mode: fs.ModeDir | 0o755}, kids: map[string]*node{}}}
}

// Clean makes a tar member name or a user's path absolute and clean.
func Clean(name string) string { return path.Clean("/" + name) }

// find walks to p one component at a time, allocating nothing: a lookup
// costs the length of p, so a walk down a deep tree stays linear in the
// bytes of its names times their depth, not in the square of the depth
// times a slice per lookup.
func (t *Tree) find(p string) *node {
	n := t.root
	for rest := p[1:]; rest != "" && n != nil; {
		var part string
		part, rest, _ = strings.Cut(rest, "/")
		n = n.kids[part]
	}
	return n
}

// Put adds or replaces the entry at e.Path. Missing parent directories
// are made; a non-directory in the way is replaced by a directory.
// Replacing a directory by a non-directory drops its contents.
func (t *Tree) Put(e *Entry) {
	if e.Path == "/" {
		t.root.e = e
		return
	}
	parent := t.mkdirAll(path.Dir(e.Path))
	name := path.Base(e.Path)
	old := parent.kids[name]
	if old != nil && old.e.IsDir() && e.IsDir() {
		old.e = e
		return
	}
	n := &node{e: e}
	if e.IsDir() {
		n.kids = map[string]*node{}
	}
	parent.kids[name] = n
}

func (t *Tree) mkdirAll(p string) *node {
	n := t.root
	if p == "/" {
		return n
	}
	end := 0 // the implied directories' paths share p's bytes
	for rest := p[1:]; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, "/")
		end += 1 + len(part)
		k := n.kids[part]
		if k == nil || !k.e.IsDir() {
			k = &node{e: &Entry{Path: p[:end], Mode: fs.ModeDir | 0o755}, kids: map[string]*node{}}
			n.kids[part] = k
		}
		n = k
	}
	return n
}

// Remove deletes the object at p and everything under it.
func (t *Tree) Remove(p string) {
	if p == "/" {
		return
	}
	if parent := t.find(path.Dir(p)); parent != nil {
		delete(parent.kids, path.Base(p))
	}
}

// Lstat implements FS.
func (t *Tree) Lstat(p string) (*Entry, error) {
	if n := t.find(p); n != nil {
		return n.e, nil
	}
	return nil, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
}

// ReadDir implements FS.
func (t *Tree) ReadDir(p string) ([]string, error) {
	n := t.find(p)
	if n == nil {
		return nil, &fs.PathError{Op: "readdir", Path: p, Err: fs.ErrNotExist}
	}
	names := make([]string, 0, len(n.kids))
	for k := range n.kids {
		names = append(names, k)
	}
	sort.Strings(names)
	return names, nil
}

// Open implements FS: the content kept while reading a tar, or the file on
// disk the entry came from.
func (t *Tree) Open(p string) (io.ReadCloser, error) {
	n := t.find(p)
	switch {
	case n == nil:
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	case !n.e.IsRegular():
		return nil, fmt.Errorf("opening %s: not a regular file", p)
	case n.e.content != nil || n.e.Size == 0:
		return io.NopCloser(bytes.NewReader(n.e.content)), nil
	case n.e.disk != "":
		return os.Open(n.e.disk)
	}
	return nil, fmt.Errorf("opening %s: content not kept", p)
}

// Len counts the entries below the root.
func (t *Tree) Len() int {
	var count func(*node) int
	count = func(n *node) int {
		c := len(n.kids)
		for _, k := range n.kids {
			c += count(k)
		}
		return c
	}
	return count(t.root)
}

// Walk calls fn for every entry below the root, parents first, siblings
// in bytewise order.
func (t *Tree) Walk(fn func(e *Entry)) {
	var walk func(*node)
	walk = func(n *node) {
		names := make([]string, 0, len(n.kids))
		for k := range n.kids {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			fn(n.kids[k].e)
			walk(n.kids[k])
		}
	}
	walk(t.root)
}
