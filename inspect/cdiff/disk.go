package cdiff

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"syscall"

	"golang.org/x/sys/unix"
)

// DirLayers is the merged view of overlay layer directories on disk, top
// first, as the overlay2 storage driver keeps them (a container's
// LowerDir): whiteouts are character devices 0/0, opaque directories carry
// the trusted.overlay.opaque xattr.
type DirLayers struct {
	Dirs   []string
	opaque map[string]bool // layer dir + path → opaque directory
}

// NewDirLayers returns the merged view of dirs (top first).
func NewDirLayers(dirs []string) *DirLayers {
	return &DirLayers{Dirs: dirs, opaque: map[string]bool{}}
}

func notExist(op, p string) error { return &fs.PathError{Op: op, Path: p, Err: fs.ErrNotExist} }

// find returns the layer index holding p, or -1 when no layer shows it.
func (d *DirLayers) find(p string) (int, os.FileInfo, error) {
	for i, dir := range d.Dirs {
		fi, err := os.Lstat(dir + p)
		switch {
		case err == nil:
			if isWhiteout(fi) {
				return -1, nil, nil
			}
			return i, fi, nil
		case errors.Is(err, syscall.ENOTDIR):
			return -1, nil, nil
		case !errors.Is(err, fs.ErrNotExist):
			return -1, nil, fmt.Errorf("image layer: %w", err)
		}
		if d.hiddenBelow(dir, p) {
			return -1, nil, nil
		}
	}
	return -1, nil, nil
}

// hiddenBelow reports whether the deepest ancestor of p present in layer
// dir is an opaque directory, hiding p in the layers below.
func (d *DirLayers) hiddenBelow(dir, p string) bool {
	for q := path.Dir(p); ; q = path.Dir(q) {
		key := dir + q
		op, ok := d.opaque[key]
		if !ok {
			if _, err := os.Lstat(key); err != nil {
				if q == "/" {
					return false
				}
				continue
			}
			op = isOpaque(key)
			d.opaque[key] = op
		}
		return op
	}
}

// Lstat implements FS.
func (d *DirLayers) Lstat(p string) (*Entry, error) {
	i, fi, err := d.find(p)
	if err != nil {
		return nil, err
	}
	if i < 0 {
		return nil, notExist("lstat", p)
	}
	return entryFromStat(p, d.Dirs[i]+p, fi)
}

// ReadDir implements FS.
func (d *DirLayers) ReadDir(p string) ([]string, error) {
	i, fi, err := d.find(p)
	if err != nil {
		return nil, err
	}
	if i < 0 || !fi.IsDir() {
		return nil, notExist("readdir", p)
	}
	seen := map[string]bool{}
	var names []string
	for _, dir := range d.Dirs[i:] {
		des, err := os.ReadDir(dir + p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			break // a non-directory here hides the layers below
		}
		for _, de := range des {
			if seen[de.Name()] {
				continue
			}
			seen[de.Name()] = true
			if de.Type()&fs.ModeCharDevice != 0 {
				if fi, err := de.Info(); err == nil && isWhiteout(fi) {
					continue
				}
			}
			names = append(names, de.Name())
		}
		if isOpaque(dir + p) {
			break
		}
	}
	sort.Strings(names)
	return names, nil
}

// Open implements FS.
func (d *DirLayers) Open(p string) (io.ReadCloser, error) {
	i, _, err := d.find(p)
	if err != nil {
		return nil, err
	}
	if i < 0 {
		return nil, notExist("open", p)
	}
	return os.Open(d.Dirs[i] + p)
}

// ReadUpperDir reads an overlay upper directory (a container's UpperDir)
// as a layer of changes for DiffLayer: metadata now, content on demand.
func ReadUpperDir(dir string) (*Tree, error) {
	t := NewTree()
	err := filepath.WalkDir(dir, func(full string, de fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading the container's layer: %w", err)
		}
		rel, _ := filepath.Rel(dir, full)
		p := Clean(filepath.ToSlash(rel))
		if p == "/" {
			return nil
		}
		fi, err := de.Info()
		if err != nil {
			return fmt.Errorf("reading the container's layer: %w", err)
		}
		if isWhiteout(fi) {
			t.Put(&Entry{Path: p, Mode: fi.Mode(), Whiteout: true})
			return nil
		}
		e, err := entryFromStat(p, full, fi)
		if err != nil {
			return err
		}
		e.Opaque = fi.IsDir() && isOpaque(full)
		t.Put(e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// entryFromStat describes the file at full (shown at p) from its lstat.
func entryFromStat(p, full string, fi os.FileInfo) (*Entry, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil, fmt.Errorf("%s: no stat data", full)
	}
	e := &Entry{Path: p, Mode: fi.Mode(), UID: int(st.Uid), GID: int(st.Gid), Size: fi.Size(), ModTime: fi.ModTime()}
	switch {
	case fi.IsDir():
		e.Size = 0
	case fi.Mode()&fs.ModeSymlink != 0:
		l, err := os.Readlink(full)
		if err != nil {
			return nil, fmt.Errorf("reading link %s: %w", p, err)
		}
		e.Linkname = l
	case fi.Mode()&fs.ModeDevice != 0:
		e.Devmajor, e.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
		e.Size = 0
	case fi.Mode().IsRegular():
		e.disk = full
	default:
		e.Size = 0
	}
	if fi.Mode().IsRegular() {
		e.Caps = lgetxattr(full, "security.capability")
	}
	return e, nil
}

func isWhiteout(fi os.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && st.Rdev == 0
}

func isOpaque(full string) bool {
	v := lgetxattr(full, "trusted.overlay.opaque")
	return len(v) == 1 && v[0] == 'y'
}

func lgetxattr(full, attr string) []byte {
	buf := make([]byte, 256)
	n, err := unix.Lgetxattr(full, attr, buf)
	if err != nil || n <= 0 {
		return nil
	}
	return buf[:n]
}
