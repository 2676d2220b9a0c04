package cdiff

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/aymanbagabas/go-udiff"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// sameContent compares two regular files of equal size: by digest when
// both views know it, else by reading both.
func sameContent(oldFS FS, o *Entry, newFS FS, n *Entry) (bool, error) {
	if o.Digest != "" && n.Digest != "" {
		return o.Digest == n.Digest, nil
	}
	a, err := oldFS.Open(o.Path)
	if err != nil {
		return false, fmt.Errorf("image: %w", err)
	}
	defer a.Close()
	b, err := newFS.Open(n.Path)
	if err != nil {
		return false, fmt.Errorf("container: %w", err)
	}
	defer b.Close()
	ra, rb := bufio.NewReaderSize(a, 64<<10), bufio.NewReaderSize(b, 64<<10)
	bufA, bufB := make([]byte, 32<<10), make([]byte, 32<<10)
	for {
		na, errA := io.ReadFull(ra, bufA)
		nb, errB := io.ReadFull(rb, bufB)
		if na != nb || !bytes.Equal(bufA[:na], bufB[:nb]) {
			return false, nil
		}
		if errA == io.EOF || errA == io.ErrUnexpectedEOF {
			return errB == io.EOF || errB == io.ErrUnexpectedEOF, nil
		}
		if errA != nil {
			return false, fmt.Errorf("reading %s in the image: %w", o.Path, errA)
		}
		if errB != nil {
			return false, fmt.Errorf("reading %s in the container: %w", n.Path, errB)
		}
	}
}

// AddContentDiffs sets Change.Diff to a unified diff for each added or
// changed text file no larger than DefaultMaxKeep, reading old contents
// from old and new ones from new. Binary files and files whose content
// was not kept are left without one.
func AddContentDiffs(old, new FS, changes []Change) {
	for i, c := range changes {
		if c.New == nil || !c.New.IsRegular() || c.New.Size > DefaultMaxKeep {
			continue
		}
		var before []byte
		label := "/dev/null"
		if c.Old != nil {
			if !c.Old.IsRegular() || c.Old.Size > DefaultMaxKeep {
				continue
			}
			b, ok := readText(old, c.Path)
			if !ok {
				continue
			}
			before, label = b, "a"+c.Path
		}
		after, ok := readText(new, c.Path)
		if !ok || bytes.Equal(before, after) {
			continue
		}
		changes[i].Diff = udiff.Unified(label, "b"+c.Path, string(before), string(after))
	}
}

// readText reads a file whole if it is text: valid UTF-8 without NULs.
func readText(f FS, p string) ([]byte, bool) {
	r, err := f.Open(p)
	if err != nil {
		return nil, false
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, DefaultMaxKeep+1))
	if err != nil || len(b) > DefaultMaxKeep || bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
		return nil, false
	}
	return b, true
}

// ImageContentDiffs gives unified diffs of the text files at paths (as
// "/a/b") between images a and b: each image's filesystem is read once,
// keeping only those paths' content. A path that is binary, too large or
// equal gets none.
func ImageContentDiffs(a, b v1.Image, paths []string) (map[string]string, error) {
	keep := make(map[string]bool, len(paths))
	for _, p := range paths {
		keep[p] = true
	}
	ta, err := ImageTree(a, keep)
	if err != nil {
		return nil, err
	}
	tb, err := ImageTree(b, keep)
	if err != nil {
		return nil, err
	}
	changes := make([]Change, 0, len(paths))
	for _, p := range paths {
		if n := tb.lookup(p); n != nil {
			changes = append(changes, Change{Path: p, Old: ta.lookup(p), New: n})
		}
	}
	AddContentDiffs(ta, tb, changes)
	out := map[string]string{}
	for _, c := range changes {
		if c.Diff != "" {
			out[c.Path] = c.Diff
		}
	}
	return out, nil
}
