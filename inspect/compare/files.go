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
	paths    *pathTable
	a, b     *tree
	ids      [2][]string       // each side's layers' DiffIDs
	tarBytes map[v1.Hash]int64 // each layer's uncompressed tar bytes
	content  map[v1.Hash]int64 // each layer's content (layerIndex.content)
}

// readFiles reads the layers of a and b, each distinct one once: the
// layers both hold at the bottom (the same DiffIDs in the same places)
// into one base tree, then each side's own layers over it.
func readFiles(ctx context.Context, a, b *side, maxPaths int) (*files, error) {
	k := 0
	for k < len(a.diffIDs) && k < len(b.diffIDs) && a.diffIDs[k] == b.diffIDs[k] {
		k++
	}
	var jobs []job
	for i, l := range a.layers {
		whose := fmt.Sprintf("image A's layer %d", i+1)
		if i < k {
			whose = fmt.Sprintf("layer %d of both images", i+1)
		}
		jobs = append(jobs, job{layer: l, diff: a.diffIDs[i], whose: whose})
	}
	for i, l := range b.layers[k:] {
		jobs = append(jobs, job{layer: l, diff: b.diffIDs[k+i], whose: fmt.Sprintf("image B's layer %d", k+i+1)})
	}
	paths := newPathTable()
	if maxPaths > 0 {
		paths.max = maxPaths
	}
	base := newTree(paths, nil)
	f := &files{paths: paths, tarBytes: map[v1.Hash]int64{}, content: map[v1.Hash]int64{}}
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
			return base.apply(idx, int16(i))
		case i < na:
			if f.a == nil {
				f.a = newTree(paths, base.own)
			}
			return f.a.apply(idx, int16(i))
		default:
			if f.b == nil {
				f.b = newTree(paths, base.own)
			}
			return f.b.apply(idx, int16(i-na+k))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("reading the files of A and B: %w", err)
	}
	if f.a == nil {
		f.a = newTree(paths, base.own)
	}
	if f.b == nil {
		f.b = newTree(paths, base.own)
	}
	return f, nil
}

// diff lists every path that differs between the two trees: only those
// a side's own layers touched can.
func (f *files) diff(createdBy [2][]string) []compare.FileChange {
	var out []compare.FileChange
	whats := map[string][]string{} // one slice per kind of change, shared
	check := func(id pathID) {
		var sides [2]*compare.FileEntry
		for i, t := range [2]*tree{f.a, f.b} {
			if e, ok := t.lookup(id); ok {
				fe := e.entry(f.ids[i])
				sides[i] = &fe
			}
		}
		name := f.paths.nodes[id].path
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
	for id := range f.a.own {
		check(id)
	}
	for id := range f.b.own {
		if _, ok := f.a.own[id]; !ok {
			check(id)
		}
	}
	if len(f.a.cleared)+len(f.b.cleared) > 0 {
		f.clearedBase(check)
	}
	return out
}

// clearedBase calls check for every path of the shared base that neither
// side's layers touched and that a side's layers removed by clearing a
// directory above it: one walk of the paths from the root, carrying
// whether each side cleared a directory on the way down.
func (f *files) clearedBase(check func(pathID)) {
	type item struct {
		id     pathID
		ca, cb bool // A, B cleared a directory above it
	}
	stack := []item{{id: rootID}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.id != rootID && (it.ca || it.cb) {
			if _, inBase := f.a.base[it.id]; inBase {
				_, inA := f.a.own[it.id]
				_, inB := f.b.own[it.id]
				if !inA && !inB {
					check(it.id)
				}
			}
		}
		ca, cb := it.ca || f.a.cleared[it.id], it.cb || f.b.cleared[it.id]
		for _, c := range f.paths.nodes[it.id].children {
			stack = append(stack, item{c, ca, cb})
		}
	}
}
