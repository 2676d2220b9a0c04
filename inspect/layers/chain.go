package layers

import (
	"slices"
	"strings"
)

// Chains of implied directories.
//
// A member whose name goes thousands of directories below anything the
// table holds implies every one of them (200 such names of 2,000 levels:
// 400,000 directories, each an entry counted in `added`). Made one by
// one, they cost 100 times listing the tar. A run of such directories,
// new in one layer and with nothing else below them yet, is therefore
// held as ONE node: its path is the chain's last directory, its chain
// field the number of directories it stands for, and its one entry (an
// implied, added directory) is counted that many times. Its key in the
// path table is the first directory's name under the chain's parent.
//
// Until something needs one of the chain's directories on its own, they
// all have the same history, total and touched layers as the last one:
// each has one child and nothing else. A chain is split into ordinary
// nodes (split) when a path leaves it or ends inside it (a sibling, a
// rewrite, a whiteout or an opaque marker, a hard link's target), when
// a whiteout or opaque directory above removes it, and, for every
// chain, when the tree is first walked (Analysis.View, Lookup): callers
// that read only the counts (inspect --json) never pay for it.

// minChain is the fewest new directories held as a chain (a table's
// minChain; tests switch chains off with a larger one, through
// Options.minChain).
const minChain = 2

// move says where the entries of a split chain's other directories,
// appended to their layer, belong: right after the chain's own entry.
type move struct {
	layer   int32
	at      int32 // the chain's entry (its first directory's, once split)
	from, n int32 // the appended entries
}

// span is the nodes split appended for chain c's other directories.
type span struct {
	c       NodeID
	from, n NodeID
}

// paths is the number of paths the table names, a chain's directories
// included.
func (t *table) paths() int { return len(t.nodes) + t.virtual }

// through says whether directory path d is chain path cp or below it.
func through(d, cp string) bool {
	return len(d) >= len(cp) && d[:len(cp)] == cp && (len(d) == len(cp) || d[len(cp)] == '/')
}

// named is id, a node found by the name under its parent, as the path
// that name gives: a chain's first directory, so the chain is split.
func (t *table) named(id NodeID) NodeID {
	if id >= 0 && t.nodes[id].chain > 1 {
		t.split(id, true)
	}
	return id
}

// newChain makes the chain of levels new directories from dir down to
// d, name being the first one's name under dir.
func (t *table) newChain(dir NodeID, name, d string, levels int) NodeID {
	t.steps++
	id := NodeID(len(t.nodes))
	t.nodes = append(growDouble(t.nodes), node{path: d, parent: dir, dir: -1,
		depth: t.nodes[dir].depth + int32(levels), chain: int32(levels)})
	pd := t.dirOf(dir)
	pd.children = append(pd.children, id)
	t.byName[childKey{dir, name}] = id
	t.virtual += levels - 1
	return id
}

// split turns chain c into one node per directory: c becomes the first
// (its place among its parent's children and its key stay), new nodes
// the others, the last of them taking c's children and dirData. Each
// gets the chain's entry with its own path, its total and its touched
// layers. It costs the chain's length and the last directory's
// children, once per chain. Unless keyed, the path table's keys are
// left for renumber to make.
func (t *table) split(c NodeID, keyed bool) NodeID {
	n := &t.nodes[c]
	k, full, parent := int(n.chain), n.path, n.parent
	v := n.hist[0] // a chain has its one entry, from the layer that made it
	l := t.layers[v.layer]
	ce := l.Entries[v.entry]
	size, old := n.size, n.dir
	var touched []dirEvent
	if old >= 0 {
		touched = t.dirs[old].touched
	}
	start := 0
	if parent != RootID {
		start = len(t.nodes[parent].path) + 1
	}
	end := start + strings.IndexByte(full[start:], '/')
	n.path, n.chain, n.dir, n.depth = full[:end], 0, -1, t.nodes[parent].depth+1
	l.Entries[v.entry].Path = full[:end]
	t.moves = append(t.moves, move{layer: v.layer, at: v.entry, from: int32(len(l.Entries)), n: int32(k - 1)})
	t.virtual -= k - 1
	t.spans = append(t.spans, span{c: c, from: NodeID(len(t.nodes)), n: NodeID(k - 1)})
	var firstKey childKey // c's key for the second directory, set once c's old children moved
	var second NodeID
	prev := c
	for lvl := 2; lvl <= k; lvl++ {
		t.steps++
		off := end + 1
		if end = len(full); lvl < k {
			end = off + strings.IndexByte(full[off:], '/')
		}
		id := NodeID(len(t.nodes))
		e := ce
		e.Node, e.Path = id, full[:end]
		l.Entries = append(growDouble(l.Entries), e)
		t.nodes = append(growDouble(t.nodes), node{path: full[:end], parent: prev, dir: -1, size: size,
			depth: t.nodes[prev].depth + 1, hist: []version{{v.layer, int32(len(l.Entries) - 1)}}})
		if key := (childKey{prev, full[off:end]}); prev == c {
			firstKey, second = key, id
		} else if keyed {
			t.byName[key] = id
		}
		pd := t.dirOf(prev)
		pd.children = append(pd.children, id)
		pd.touched = slices.Clone(touched)
		prev = id
	}
	// the last directory takes c's children, totals and touched layers
	t.nodes[prev].dir = old
	for _, ch := range t.children(prev) {
		t.steps++
		t.nodes[ch].parent = prev
		if !keyed {
			continue
		}
		name := t.nodes[ch].path[len(full)+1:]
		if i := strings.IndexByte(name, '/'); i >= 0 {
			name = name[:i] // a chain below
		}
		delete(t.byName, childKey{c, name})
		t.byName[childKey{prev, name}] = ch
	}
	if keyed {
		t.byName[firstKey] = second
	}
	return c
}

// elem is the name id has under its parent: for a chain, its first
// directory's.
func (t *table) elem(id NodeID) string {
	n := &t.nodes[id]
	if n.chain <= 1 {
		return t.name(id)
	}
	rest := n.path
	if n.parent != RootID {
		rest = rest[len(t.nodes[n.parent].path)+1:]
	}
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		return rest[:i]
	}
	return rest
}

// expandAll splits every chain, for callers that walk the tree, then
// numbers the nodes as if no directory had ever been a chain.
func (t *table) expandAll() {
	for id := range NodeID(len(t.nodes)) {
		if t.nodes[id].chain > 1 {
			t.split(id, false)
		}
	}
	t.reorder()
	t.renumber()
}

// renumber gives every node the ID it would have had if every chain had
// been made one node per directory: a split chain's other directories
// right after its first. So a parent's ID is lower than its children's
// again (a split appends them after nodes made below the chain), and
// IDs, and so every order by ID, are those of a table without chains.
// The path table's keys are made anew, once for every node, as the
// table without chains made them.
func (t *table) renumber() {
	if len(t.spans) == 0 {
		return
	}
	spans := make(map[NodeID]span, len(t.spans))
	appended := make([]bool, len(t.nodes))
	for _, s := range t.spans {
		spans[s.c] = s
		for j := s.from; j < s.from+s.n; j++ {
			appended[j] = true
		}
	}
	to := make([]NodeID, len(t.nodes))
	next := NodeID(0)
	for i := range t.nodes {
		if appended[i] {
			continue
		}
		to[i], next = next, next+1
		if s, ok := spans[NodeID(i)]; ok {
			for j := s.from; j < s.from+s.n; j++ {
				to[j], next = next, next+1
			}
		}
	}
	for i := range t.nodes {
		if p := t.nodes[i].parent; p >= 0 {
			t.nodes[i].parent = to[p]
		}
	}
	for i := range t.dirs {
		for j, c := range t.dirs[i].children {
			t.dirs[i].children[j] = to[c]
		}
	}
	t.renumbered(to)
	// move each node to its place, in place (a second slice of nodes
	// was a tenth of a walk's memory), following the cycles of to
	for i := range to {
		for to[i] != NodeID(i) {
			j := to[i]
			t.nodes[i], t.nodes[j] = t.nodes[j], t.nodes[i]
			to[i], to[j] = to[j], to[i]
		}
	}
	t.byName = make(map[childKey]NodeID, len(t.nodes))
	for id := NodeID(1); int(id) < len(t.nodes); id++ {
		t.byName[childKey{t.nodes[id].parent, t.name(id)}] = id
	}
}

// renumbered changes every ID the table holds outside the nodes by to.
func (t *table) renumbered(to []NodeID) {
	for _, l := range t.layers {
		for i := range l.Entries {
			l.Entries[i].Node = to[l.Entries[i].Node]
		}
	}
	t.hint, t.spans = to[t.hint], nil // the waste, by node, is counted and dropped (Analyze)
}

// reorder puts the entries split chains appended to their layers back
// in tar order, each chain's directories together from the top, and
// renumbers the versions that name them.
func (t *table) reorder() {
	if len(t.moves) == 0 {
		return
	}
	byLayer := map[int32][]move{}
	for _, m := range t.moves {
		byLayer[m.layer] = append(byLayer[m.layer], m)
	}
	renum := map[int32][]int32{}
	for li, ms := range byLayer {
		l := t.layers[li]
		after := make(map[int32]move, len(ms))
		moved := make([]bool, len(l.Entries))
		for _, m := range ms {
			after[m.at] = m
			for j := m.from; j < m.from+m.n; j++ {
				moved[j] = true
			}
		}
		out := make([]Entry, 0, len(l.Entries))
		idx := make([]int32, len(l.Entries))
		for i := range l.Entries {
			if moved[i] {
				continue
			}
			idx[i] = int32(len(out))
			out = append(out, l.Entries[i])
			if m, ok := after[int32(i)]; ok {
				for j := m.from; j < m.from+m.n; j++ {
					idx[j] = int32(len(out))
					out = append(out, l.Entries[j])
				}
			}
		}
		l.Entries = out
		renum[li] = idx
	}
	for i := range t.nodes {
		h := t.nodes[i].hist
		for j := range h {
			if idx, ok := renum[h[j].layer]; ok {
				h[j].entry = idx[h[j].entry]
			}
		}
	}
	t.moves = t.moves[:0]
}
