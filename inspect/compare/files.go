package compare

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/model/compare"
)

// files are the two sides' filesystems, sharing the tree of the layers
// they share at the bottom.
type files struct {
	a, b     *tree
	ids      [2][]string       // each side's layers' DiffIDs
	tarBytes map[v1.Hash]int64 // each layer's uncompressed tar bytes
	content  map[v1.Hash]int64 // each layer's content (layerIndex.content)
}

// readFiles reads the layers of a and b, each distinct one once: the
// layers both hold at the bottom (the same DiffIDs in the same places)
// into one base tree, then each side's own layers over it.
func readFiles(ctx context.Context, a, b *side) (*files, error) {
	k := 0
	for k < len(a.diffIDs) && k < len(b.diffIDs) && a.diffIDs[k] == b.diffIDs[k] {
		k++
	}
	var jobs []job
	for i, l := range a.layers {
		jobs = append(jobs, job{layer: l, diff: a.diffIDs[i]})
	}
	for i, l := range b.layers[k:] {
		jobs = append(jobs, job{layer: l, diff: b.diffIDs[k+i]})
	}
	base := newTree(nil)
	f := &files{tarBytes: map[v1.Hash]int64{}, content: map[v1.Hash]int64{}}
	for i, s := range [2]*side{a, b} {
		for _, d := range s.diffIDs {
			f.ids[i] = append(f.ids[i], d.String())
		}
	}
	na := len(a.layers)
	err := readAll(ctx, jobs, maphash.MakeSeed(), func(i int, idx *layerIndex) error {
		f.tarBytes[jobs[i].diff] = idx.tarBytes
		f.content[jobs[i].diff] = idx.content
		switch {
		case i < k:
			base.apply(idx, int16(i))
			return nil
		case i < na:
			if f.a == nil {
				f.a = newTree(base.own)
			}
			f.a.apply(idx, int16(i))
		default:
			if f.b == nil {
				f.b = newTree(base.own)
			}
			f.b.apply(idx, int16(i-na+k))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading the files of A and B: %w", err)
	}
	if f.a == nil {
		f.a = newTree(base.own)
	}
	if f.b == nil {
		f.b = newTree(base.own)
	}
	return f, nil
}

// diff lists every path that differs between the two trees: only those
// a side's own layers touched can.
func (f *files) diff(createdBy [2][]string) []compare.FileChange {
	var out []compare.FileChange
	whats := map[string][]string{} // one slice per kind of change, shared
	check := func(p string) {
		var sides [2]*compare.FileEntry
		for i, t := range [2]*tree{f.a, f.b} {
			if e, ok := t.lookup(p); ok {
				fe := e.entry(f.ids[i])
				sides[i] = &fe
			}
		}
		name := p
		if name == "" {
			name = "/"
		}
		if c, ok := compare.DiffEntry(name, sides[0], sides[1], createdBy); ok {
			if len(c.What) > 0 {
				k := strings.Join(c.What, ",")
				if w, ok := whats[k]; ok {
					c.What = w
				} else {
					whats[k] = c.What
				}
			}
			out = append(out, c)
		}
	}
	for p := range f.a.own {
		check(p)
	}
	for p := range f.b.own {
		if _, ok := f.a.own[p]; !ok {
			check(p)
		}
	}
	if len(f.a.cleared)+len(f.b.cleared) > 0 {
		for p := range f.a.base {
			_, inA := f.a.own[p]
			_, inB := f.b.own[p]
			if !inA && !inB && (f.a.underCleared(p) || f.b.underCleared(p)) {
				check(p)
			}
		}
	}
	return out
}
