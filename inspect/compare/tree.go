package compare

import (
	"fmt"
	"strconv"

	"github.com/buildscope/buildscope/model/compare"
)

// Kinds of fentry.
const (
	kDir   uint8 = iota + 1
	kFile        // a regular file, with a content digest
	kOther       // symlink, hard link, device, FIFO
	kGone        // removed by this side's layers (in tree.own only)
)

// fentry is one path as compare keeps it, in a third of a
// compare.FileEntry's bytes, since there are hundreds of thousands.
//
// A regular file's content is known by sum, a 64-bit hash/maphash of it
// under a seed drawn for each comparison: six times as fast as sha256
// here, and compared only with files of the same size, two contents
// match by chance once in 2^64; since the seed is secret and new each
// run, a file cannot be made to match another.
type fentry struct {
	size     int64
	link     string
	sum      uint64
	mode     uint32
	uid, gid uint32
	layer    int16
	kind     uint8
	unknown  bool // content not read (see readLayer): known by layer only
}

// entry is e as the model compares it.
func (e fentry) entry(diffIDs []string) compare.FileEntry {
	fe := compare.FileEntry{Dir: e.kind == kDir, Size: e.size, Mode: int64(e.mode), UID: int(e.uid), GID: int(e.gid), Link: e.link, Layer: int(e.layer)}
	switch {
	case e.kind != kFile:
	case e.unknown:
		fe.Digest = "layer " + diffIDs[e.layer] // equal only to itself
	default:
		fe.Digest = strconv.FormatUint(e.sum, 16) // compared, never shown
	}
	return fe
}

// tree is one side's flattened filesystem, by path ID (see pathTable;
// the root is rootID): the layers both sides share at the bottom (base,
// one map for the two trees, never written once they have their own
// layers) under the paths this side's own layers touched.
type tree struct {
	paths *pathTable
	base  map[pathID]fentry
	own   map[pathID]fentry
	// cleared are directories whose children in base this side's layers
	// removed (a whiteout of the directory, an opaque marker, a file put
	// in its place).
	cleared map[pathID]bool
	memo    map[pathID]bool // whether a directory above a directory is cleared, until the next clear
}

func newTree(paths *pathTable, base map[pathID]fentry) *tree {
	return &tree{paths: paths, base: base, own: map[pathID]fentry{}, cleared: map[pathID]bool{}}
}

// lookup is id as this side shows it.
func (t *tree) lookup(id pathID) (fentry, bool) {
	if e, ok := t.own[id]; ok {
		return e, e.kind != kGone
	}
	if t.base == nil {
		return fentry{}, false
	}
	e, ok := t.base[id]
	if !ok || t.underCleared(id) {
		return fentry{}, false
	}
	return e, true
}

// underCleared reports whether a directory above id had its base
// children removed. Answers are kept per directory (memo) until the next
// directory is cleared, so a climb stops at the first directory answered:
// asking for every path of a chain thousands of levels deep costs the
// depth once, not once per level.
func (t *tree) underCleared(id pathID) bool {
	if len(t.cleared) == 0 {
		return false
	}
	if t.memo == nil {
		t.memo = map[pathID]bool{rootID: false}
	}
	var climbed []pathID
	ans := false
	for p := t.paths.parent(id); p >= 0; p = t.paths.parent(p) {
		if v, ok := t.memo[p]; ok {
			ans = v || t.cleared[p]
			break
		}
		climbed = append(climbed, p)
	}
	// climbed holds id's ancestors up to the first one answered, nearest
	// first: answer them from the top down
	for i := len(climbed) - 1; i >= 0; i-- {
		t.memo[climbed[i]] = ans
		ans = ans || t.cleared[climbed[i]]
	}
	return ans
}

// apply lays one layer's entries over the tree, as the OCI image spec
// says: its whiteouts and opaque markers first, then what it puts, each
// with the parent directories the tree lacks. Past layertar.MaxPaths
// paths named by both sides, it refuses the layer.
func (t *tree) apply(idx *layerIndex, layer int16) error {
	ids := make([]pathID, len(idx.entries))
	for i, e := range idx.entries {
		ids[i] = t.paths.intern(e.path)
		if len(t.paths.nodes) > t.paths.max {
			return fmt.Errorf("images A and B name over %d paths, with the directories their names imply: over the bound (MaxPaths): refused", t.paths.max)
		}
	}
	var opaqued map[pathID]bool // directories this layer made opaque
	for i, e := range idx.entries {
		switch e.kind {
		case kWhiteout:
			if old, ok := t.lookup(ids[i]); ok {
				t.remove(ids[i])
				if old.kind == kDir {
					t.removeChildren(ids[i])
				}
			}
		case kOpaque:
			if opaqued[ids[i]] {
				continue // removed already: a second marker removes nothing more
			}
			if opaqued == nil {
				opaqued = map[pathID]bool{}
			}
			opaqued[ids[i]] = true
			t.removeChildren(ids[i])
		}
	}
	for i, e := range idx.entries {
		if e.kind == kWhiteout || e.kind == kOpaque {
			continue
		}
		id := ids[i]
		if e.kind != kDir {
			if old, ok := t.lookup(id); ok && old.kind == kDir {
				t.removeChildren(id) // a file in a directory's place
			}
		}
		fe := e.fentry
		fe.layer = layer
		t.own[id] = fe
		for a := id; a != rootID; {
			a = t.paths.parent(a)
			if _, ok := t.lookup(a); ok || a == rootID {
				break
			}
			t.own[a] = fentry{kind: kDir, layer: layer}
		}
	}
	return nil
}

func (t *tree) remove(id pathID) {
	if t.base == nil {
		delete(t.own, id)
		return
	}
	t.own[id] = fentry{kind: kGone}
}

// removeChildren removes what is under directory dir: a walk of the
// paths below it, where a scan of every path made each whiteout cost the
// whole tree.
func (t *tree) removeChildren(dir pathID) {
	stack := append([]pathID(nil), t.paths.nodes[dir].children...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		t.paths.work++
		delete(t.own, id)
		stack = append(stack, t.paths.nodes[id].children...)
	}
	if t.base != nil && !t.cleared[dir] {
		t.cleared[dir] = true
		t.memo = nil
	}
}
