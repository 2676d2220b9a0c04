package layers

import (
	"cmp"
	"io/fs"
	"slices"
	"sort"
)

// Mode picks what a View shows.
type Mode uint8

const (
	// Aggregated is the filesystem as of the layer (every layer up to it
	// stacked), with the layer's own changes marked; paths the layer
	// removed are shown, marked Removed.
	Aggregated Mode = iota
	// LayerOnly is only what the layer changed, with the directories
	// leading to those changes.
	LayerOnly
)

// View is the file tree as of one layer. Making one is cheap (no copy of
// the tree), so moving between layers costs nothing up front; every
// query costs what it visits. Views are safe for concurrent reads.
type View struct {
	a     *Analysis
	layer int32
	mode  Mode
	sizes map[NodeID]int64 // LayerOnly: directory totals of the layer's bytes
}

// Node is one path as a View shows it.
type Node struct {
	ID     NodeID
	Name   string // last path element; "/" for the root
	Path   string // without a leading slash; see DisplayPath
	Type   Type
	Mode   fs.FileMode
	UID    uint32
	GID    uint32
	Size   int64 // a file's size; a directory's total below it
	Link   string
	Change Change // what the view's layer did to the path
	Layer  int    // the layer the shown version comes from (-1 for the root)
	Dir    bool   // has (or may have) children to expand
}

// View returns the tree as of layer (0-based) in the given mode.
func (a *Analysis) View(layer int, mode Mode) *View {
	t := a.walked()
	v := &View{a: a, layer: int32(layer), mode: mode}
	if mode == LayerOnly {
		v.sizes = layerSizes(t, a.Layers[layer].Entries)
	}
	return v
}

// layerSizes are the totals of a layer's own bytes in every directory
// above its files: each file's size is added to its directory, then each
// directory's total to its parent's, children first (a parent's ID is
// lower), so every directory is visited once, not once per file below it.
func layerSizes(t *table, entries []Entry) map[NodeID]int64 {
	sizes := map[NodeID]int64{}
	var dirs []NodeID
	for _, e := range entries {
		if e.Change == Removed || e.Type != TypeRegular {
			continue
		}
		for p := t.nodes[e.Node].parent; p >= 0; p = t.nodes[p].parent {
			if _, ok := sizes[p]; ok {
				break
			}
			sizes[p] = 0
			dirs = append(dirs, p)
		}
		sizes[t.nodes[e.Node].parent] += e.Size
	}
	slices.SortFunc(dirs, func(a, b NodeID) int { return cmp.Compare(b, a) })
	for _, d := range dirs {
		if p := t.nodes[d].parent; p >= 0 {
			sizes[p] += sizes[d]
		}
	}
	return sizes
}

// Layer is the view's layer index.
func (v *View) Layer() int { return int(v.layer) }

// at is the node's newest version at or below the view's layer.
func (v *View) at(id NodeID) (*Entry, int32) {
	h := v.a.t.nodes[id].hist
	i := sort.Search(len(h), func(i int) bool { return h[i].layer > v.layer }) - 1
	if i < 0 {
		return nil, -1
	}
	return &v.a.t.layers[h[i].layer].Entries[h[i].entry], h[i].layer
}

// touchedAt says whether something at or below directory id changed in
// the view's layer, and its total as of the view's layer.
func (v *View) touchedAt(id NodeID) (bool, int64) {
	ev := v.a.t.touched(id)
	i := sort.Search(len(ev), func(i int) bool { return ev[i].layer > v.layer }) - 1
	if i < 0 {
		return false, 0
	}
	return ev[i].layer == v.layer, ev[i].size
}

// Visible says whether the view shows the path.
func (v *View) Visible(id NodeID) bool {
	if id == RootID {
		return true
	}
	e, l := v.at(id)
	if e == nil {
		return false
	}
	if v.mode == LayerOnly {
		touched, _ := v.touchedAt(id)
		return l == v.layer || (touched && e.Type == TypeDir && e.Change != Removed)
	}
	return e.Change != Removed || l == v.layer
}

// Node describes a path as the view shows it.
func (v *View) Node(id NodeID) Node {
	t := v.a.t
	n := Node{ID: id, Name: t.name(id), Path: t.nodes[id].path, Type: TypeDir, Mode: fs.ModeDir | 0o755, Layer: -1}
	e, l := v.at(id)
	if e != nil {
		n.Type, n.Mode, n.UID, n.GID, n.Link, n.Layer = e.Type, e.Mode, e.UID, e.GID, e.Link, int(l)
		n.Size = e.Size
		if l == v.layer {
			n.Change = e.Change
		}
	}
	if n.Type == TypeDir {
		n.Dir = true
		if e != nil && e.Change == Removed {
			return n // the size it had, from the entry
		}
		touched, size := v.touchedAt(id)
		if touched && n.Change == Unmodified {
			n.Change = Modified
		}
		n.Size = size
		if v.mode == LayerOnly {
			n.Size = v.sizes[id]
		}
	}
	return n
}

// Children are the visible children of id, sorted by name or by size.
// When keep is not nil, only the children it keeps are returned.
func (v *View) Children(id NodeID, by SortBy, keep Subset) []Node {
	var out []Node
	for _, c := range v.a.t.children(id) {
		if keep != nil && !keep[c] {
			continue
		}
		if v.Visible(c) {
			out = append(out, v.Node(c))
		}
	}
	if by == BySize {
		sort.SliceStable(out, func(i, j int) bool { return out[i].Size > out[j].Size })
	}
	return out
}

// SortBy orders children.
type SortBy uint8

// Orders of Children.
const (
	ByName SortBy = iota
	BySize
)
