package cdiff

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// Diff compares a container's whole filesystem (new) with its image's
// (old), as the engine's `docker container diff` does on two mounted
// trees. Both are walked in full.
func Diff(old, new FS) ([]Change, error) {
	w := &walker{old: old, new: new}
	w.names = new.ReadDir
	w.gone = func(p string) ([]string, error) {
		have, err := new.ReadDir(p)
		if err != nil {
			return nil, err
		}
		had, err := old.ReadDir(p)
		if err != nil {
			return nil, err
		}
		return minus(had, have), nil
	}
	return w.run()
}

// DiffLayer compares the image's filesystem (old) with the container's,
// given as the layer of changes the container made on top of it (upper:
// from ReadChanges or ReadUpperDir). Only what the layer holds is visited,
// so the cost follows the size of the changes, not of the image.
func DiffLayer(old FS, upper *Tree) ([]Change, error) {
	ov := &Overlay{Lower: old, Upper: upper}
	w := &walker{old: old, new: ov}
	w.names = func(p string) ([]string, error) {
		names, err := upper.ReadDir(p)
		if err != nil {
			return nil, nil // not in the layer: nothing below changed
		}
		out := names[:0]
		for _, n := range names {
			if !upper.lookup(path.Join(p, n)).Whiteout {
				out = append(out, n)
			}
		}
		return out, nil
	}
	w.gone = func(p string) ([]string, error) {
		u := upper.lookup(p)
		if u == nil {
			return nil, nil
		}
		names, _ := upper.ReadDir(p)
		if u.Opaque {
			had, err := old.ReadDir(p)
			if err != nil {
				return nil, err
			}
			have, _ := w.names(p)
			return minus(had, have), nil
		}
		var out []string
		for _, n := range names {
			c := path.Join(p, n)
			if upper.lookup(c).Whiteout {
				if _, err := old.Lstat(c); err == nil {
					out = append(out, n)
				}
			}
		}
		return out, nil
	}
	return w.run()
}

// walker walks the container's tree in the engine's order: in each
// directory its present children (each followed by its own changes), then
// what was deleted from it; a directory with changes inside is marked C
// before them unless it is itself reported.
type walker struct {
	old, new FS
	names    func(dir string) ([]string, error) // children of dir to compare
	gone     func(dir string) ([]string, error) // children of dir deleted
	out      []Change
}

func (w *walker) run() ([]Change, error) {
	if err := w.dir("/", true, true); err != nil {
		return nil, err
	}
	return w.out, nil
}

// dir visits directory p, present in the container; oldDir says it is a
// directory in the image too; reported says it already has its own line.
func (w *walker) dir(p string, oldDir, reported bool) error {
	mark := -1
	if !reported && p != "/" {
		mark = len(w.out)
		w.out = append(w.out, Change{Kind: Changed, Path: p})
	}
	names, err := w.names(p)
	if err != nil {
		return fmt.Errorf("listing %s: %w", p, err)
	}
	for _, name := range names {
		c := path.Join(p, name)
		n, err := w.new.Lstat(c)
		if err != nil {
			return fmt.Errorf("container: %w", err)
		}
		var o *Entry
		if oldDir {
			if o, err = w.old.Lstat(c); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("image: %w", err)
			}
		}
		if o == nil {
			w.out = append(w.out, Change{Kind: Added, Path: c, New: n})
			if n.IsDir() {
				if err := w.dir(c, false, true); err != nil {
					return err
				}
			}
			continue
		}
		changed, err := w.changed(o, n)
		if err != nil {
			return err
		}
		if changed {
			w.out = append(w.out, Change{Kind: Changed, Path: c, Old: o, New: n})
		}
		if n.IsDir() {
			if err := w.dir(c, o.IsDir(), changed); err != nil {
				return err
			}
		}
	}
	if oldDir {
		gone, err := w.gone(p)
		if err != nil {
			return fmt.Errorf("listing %s: %w", p, err)
		}
		for _, name := range gone {
			c := path.Join(p, name)
			o, err := w.old.Lstat(c)
			if err != nil {
				return fmt.Errorf("image: %w", err)
			}
			w.out = append(w.out, Change{Kind: Deleted, Path: c, Old: o})
		}
	}
	if mark >= 0 {
		if len(w.out) == mark+1 {
			w.out = w.out[:mark]
			return nil
		}
		o, _ := w.old.Lstat(p)
		n, _ := w.new.Lstat(p)
		w.out[mark].Old, w.out[mark].New = o, n
	}
	return nil
}

// changed is the engine's stat comparison, plus content: a regular file
// equal in every stat field is compared by content, so a rewrite that kept
// size and mtime is still seen.
func (w *walker) changed(o, n *Entry) (bool, error) {
	if statDifferent(o, n) || !sameCaps(o, n) {
		return true, nil
	}
	if !n.IsRegular() || n.Size == 0 {
		return false, nil
	}
	same, err := sameContent(w.old, o, w.new, n)
	if err != nil {
		return false, err
	}
	return !same, nil
}

// minus is the sorted names of a not in b (both sorted).
func minus(a, b []string) []string {
	var out []string
	for _, n := range a {
		i := sort.SearchStrings(b, n)
		if i == len(b) || b[i] != n {
			out = append(out, n)
		}
	}
	return out
}
