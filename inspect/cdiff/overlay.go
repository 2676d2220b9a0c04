package cdiff

import (
	"io"
	"io/fs"
	"path"
	"strings"
)

// Overlay is the filesystem a container sees: its layer of changes (Upper,
// with whiteouts and opaque directories) over the image (Lower).
type Overlay struct {
	Lower FS
	Upper *Tree
}

// hidden reports whether the upper layer hides p's counterpart in the
// lower one: a whiteout or non-directory on p or above it, or an opaque
// directory above it.
func (o *Overlay) hidden(p string) bool {
	n := o.Upper.root
	for rest := p[1:]; rest != ""; {
		var part string
		var more bool
		part, rest, more = strings.Cut(rest, "/")
		if n = n.kids[part]; n == nil {
			return false
		}
		if n.e.Whiteout || (more && !n.e.IsDir()) {
			return true
		}
		if next, _, _ := strings.Cut(rest, "/"); more && n.e.Opaque && n.kids[next] == nil {
			return true
		}
	}
	return false
}

// Lstat implements FS.
func (o *Overlay) Lstat(p string) (*Entry, error) {
	if e := o.Upper.lookup(p); e != nil && !e.Whiteout {
		return e, nil
	}
	if o.hidden(p) {
		return nil, &fs.PathError{Op: "lstat", Path: p, Err: fs.ErrNotExist}
	}
	return o.Lower.Lstat(p)
}

// ReadDir implements FS.
func (o *Overlay) ReadDir(p string) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	u := o.Upper.lookup(p)
	if u == nil || (!u.Opaque && !u.Whiteout) {
		if lower, err := o.Lower.ReadDir(p); err == nil && !o.hidden(p) {
			names = append(names, lower...)
			for _, n := range lower {
				seen[n] = true
			}
		}
	}
	if up, err := o.Upper.ReadDir(p); err == nil {
		for _, n := range up {
			c := path.Join(p, n)
			if o.Upper.lookup(c).Whiteout {
				delete(seen, n)
				continue
			}
			if !seen[n] {
				names = append(names, n)
			}
			seen[n] = true
		}
	}
	out := names[:0]
	for _, n := range names {
		if seen[n] {
			out = append(out, n)
			delete(seen, n)
		}
	}
	sortStrings(out)
	if len(out) == 0 && u == nil {
		if _, err := o.Lstat(p); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Open implements FS.
func (o *Overlay) Open(p string) (io.ReadCloser, error) {
	if e := o.Upper.lookup(p); e != nil && !e.Whiteout {
		return o.Upper.Open(p)
	}
	return o.Lower.Open(p)
}
