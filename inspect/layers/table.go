package layers

import (
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// version is one layer's entry for a node: Layers[layer].Entries[entry].
type version struct {
	layer int32
	entry int32
}

// dirEvent is a directory's total size at the end of a layer that changed
// something below it.
type dirEvent struct {
	layer int32
	size  int64
}

// node is one path of the image across all layers.
type node struct {
	path   string
	hist   []version // in layer order, at most one per layer
	size   int64     // running size while layers are applied
	parent NodeID
	dir    int32 // index in table.dirs once the node has children or changes below; else -1
}

// dirData is what only directories need.
type dirData struct {
	children []NodeID
	touched  []dirEvent // layers that changed something below
}

// content is one copy of a regular file's bytes in one layer.
type content struct {
	owner NodeID // the path that stored it
	size  int64
	refs  int32 // visible paths showing it (the file and its hard links)
}

// table is the path table every layer is applied to, in layer order.
type table struct {
	nodes    []node
	dirs     []dirData
	byPath   map[string]NodeID
	layers   []*Layer
	contents []content
	wasted   map[NodeID]int64 // bytes of dead copies, by the path that stored them
	total    int64            // bytes of every copy ever stored
	cur      int32            // the layer being applied
}

func newTable() *table {
	t := &table{byPath: map[string]NodeID{"": RootID}, wasted: map[NodeID]int64{}}
	t.nodes = append(t.nodes, node{parent: -1, dir: -1})
	return t
}

// dirOf is the directory data of id, made on first use.
func (t *table) dirOf(id NodeID) *dirData {
	n := &t.nodes[id]
	if n.dir < 0 {
		n.dir = int32(len(t.dirs))
		t.dirs = append(t.dirs, dirData{})
	}
	return &t.dirs[n.dir]
}

// children are id's children (none for a file).
func (t *table) children(id NodeID) []NodeID {
	if d := t.nodes[id].dir; d >= 0 {
		return t.dirs[d].children
	}
	return nil
}

// touched are the layers that changed something at or below id.
func (t *table) touched(id NodeID) []dirEvent {
	if d := t.nodes[id].dir; d >= 0 {
		return t.dirs[d].touched
	}
	return nil
}

// latest is the node's newest version, or nil.
func (t *table) latest(id NodeID) *Entry {
	h := t.nodes[id].hist
	if len(h) == 0 {
		return nil
	}
	v := h[len(h)-1]
	return &t.layers[v.layer].Entries[v.entry]
}

// alive says whether the node is a path of the filesystem as applied so far.
func (t *table) alive(id NodeID) bool {
	if id == RootID {
		return true
	}
	e := t.latest(id)
	return e != nil && e.Change != Removed
}

// lookup finds or creates the node for p, creating (and, where they are
// missing or not directories, adding) its parent directories.
func (t *table) lookup(p string) NodeID {
	if id, ok := t.byPath[p]; ok {
		return id
	}
	parent := RootID
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		parent = t.lookup(p[:i])
	}
	id := NodeID(len(t.nodes))
	t.nodes = append(t.nodes, node{path: p, parent: parent, dir: -1})
	d := t.dirOf(parent)
	d.children = append(d.children, id)
	t.byPath[p] = id
	return id
}

// ensureDir makes id a live directory, adding an implicit entry when the
// layers so far do not have it as one.
func (t *table) ensureDir(id NodeID) {
	if id == RootID {
		return
	}
	t.ensureDir(t.nodes[id].parent)
	if e := t.latest(id); e != nil && e.Change != Removed && e.Type == TypeDir {
		return
	}
	t.put(id, rawEntry{typ: TypeDir, mode: fs.ModeDir | 0o755}, true)
}

// put applies a file, directory or link entry to node id.
func (t *table) put(id NodeID, r rawEntry, implicit bool) {
	n := &t.nodes[id]
	prev := t.latest(id)
	wasAlive := prev != nil && prev.Change != Removed
	wasDir := wasAlive && prev.Type == TypeDir
	if wasDir && r.typ == TypeDir && prev.Mode == r.mode && prev.UID == r.uid && prev.GID == r.gid {
		t.resize(id, n.size, true) // a parent written again beside a changed child
		return
	}
	change := Added
	if wasAlive {
		if wasDir && r.typ != TypeDir {
			t.hideChildren(id)
		}
		t.release(prev)
		change = Modified
	}
	e := Entry{Node: id, Path: n.path, Change: change, Type: r.typ, Implicit: implicit,
		Mode: r.mode, UID: r.uid, GID: r.gid, Link: r.link, DevMajor: r.major, DevMinor: r.minor, content: -1}
	switch r.typ {
	case TypeRegular:
		e.Size, e.content = r.size, int32(len(t.contents))
		t.contents = append(t.contents, content{owner: id, size: r.size, refs: 1})
		t.total += r.size
		t.layers[t.cur].SizeBytes += r.size
	case TypeSymlink:
		t.layers[t.cur].SizeBytes += int64(len(r.link)) // docker image ls counts a symlink's target
	case TypeHardlink:
		if tid, ok := t.byPath[r.link]; ok && t.alive(tid) {
			if te := t.latest(tid); te.content >= 0 {
				e.content = te.content
				t.contents[te.content].refs++
			}
		}
	}
	t.record(id, e)
	own := e.Size
	if wasDir && r.typ == TypeDir {
		own = n.size
	}
	t.resize(id, own, r.typ == TypeDir)
}

// remove applies a whiteout to id: the node and everything below it that
// lower layers hold disappear. Entries of the current layer stay: a
// whiteout only applies to lower layers. It reports whether id was removed.
func (t *table) remove(id NodeID, implicit bool) bool {
	prev := t.latest(id)
	if prev == nil || prev.Change == Removed {
		return false
	}
	if t.nodes[id].hist[len(t.nodes[id].hist)-1].layer == t.cur {
		return false
	}
	size := t.nodes[id].size
	if prev.Type == TypeDir && t.hideChildren(id) > 0 {
		return false // this layer put something below it: keep the directory
	}
	t.release(prev)
	t.record(id, Entry{Node: id, Path: t.nodes[id].path, Change: Removed, Type: prev.Type,
		Implicit: implicit, Mode: prev.Mode, UID: prev.UID, GID: prev.GID, Size: size,
		Link: prev.Link, content: -1})
	t.resize(id, 0, false)
	return true
}

// hideChildren removes id's children that lower layers hold (an opaque
// directory, or a directory replaced or whited out) and returns how many
// children the current layer keeps.
func (t *table) hideChildren(id NodeID) int {
	kept := 0
	for _, c := range t.children(id) {
		if !t.alive(c) {
			continue
		}
		if !t.remove(c, true) {
			kept++
		}
	}
	return kept
}

// release drops the copy of the bytes an entry showed; a copy no path
// shows any more is wasted.
func (t *table) release(prev *Entry) {
	if prev.content < 0 {
		return
	}
	c := &t.contents[prev.content]
	if c.refs--; c.refs == 0 {
		t.wasted[c.owner] += c.size
	}
}

// record appends (or, for a second entry of the same path in one layer,
// replaces) the node's entry in the current layer.
func (t *table) record(id NodeID, e Entry) {
	l := t.layers[t.cur]
	n := &t.nodes[id]
	if k := len(n.hist); k > 0 && n.hist[k-1].layer == t.cur {
		old := &l.Entries[n.hist[k-1].entry]
		switch {
		case old.Change == Removed && e.Change != Removed:
			e.Change = Modified // removed, then written again in one layer
		case old.Change == Added && e.Change == Modified:
			e.Change = Added // written twice in one layer
		}
		l.count(old.Change, -1)
		*old = e
		l.count(e.Change, 1)
		return
	}
	n.hist = append(n.hist, version{layer: t.cur, entry: int32(len(l.Entries))})
	l.Entries = append(l.Entries, e)
	l.count(e.Change, 1)
}

// resize sets a node's own size (a file's size; a directory's running
// total) and marks the node, when a directory, and its ancestors changed
// in the current layer, with their new totals.
func (t *table) resize(id NodeID, own int64, isDir bool) {
	delta := own - t.nodes[id].size
	t.nodes[id].size = own
	if isDir {
		t.mark(id)
	}
	for p := t.nodes[id].parent; p >= 0; p = t.nodes[p].parent {
		t.nodes[p].size += delta
		t.mark(p)
	}
}

// mark records that something at or below directory id changed in the
// current layer, and the directory's total after it.
func (t *table) mark(id NodeID) {
	size := t.nodes[id].size
	d := t.dirOf(id)
	if k := len(d.touched); k > 0 && d.touched[k-1].layer == t.cur {
		d.touched[k-1].size = size
		return
	}
	d.touched = append(d.touched, dirEvent{layer: t.cur, size: size})
}

func (l *Layer) count(c Change, d int) {
	switch c {
	case Added:
		l.Added += d
	case Modified:
		l.Modified += d
	case Removed:
		l.Removed += d
	}
}

// apply applies one layer's entries, in tar order.
func (t *table) apply(raw *rawLayer) {
	for _, r := range raw.entries {
		switch r.op {
		case layertar.Put:
			id := t.lookup(r.path)
			t.ensureDir(t.nodes[id].parent)
			t.put(id, r, false)
		case layertar.Whiteout:
			if id, ok := t.byPath[r.path]; ok {
				t.remove(id, false)
			}
		case layertar.Opaque:
			id := t.lookup(r.path)
			t.ensureDir(id)
			t.hideChildren(id)
		}
	}
}

// finish sorts every directory's children by name.
func (t *table) finish() {
	for i := range t.dirs {
		ch := t.dirs[i].children
		sort.Slice(ch, func(a, b int) bool { return t.nodes[ch[a]].path < t.nodes[ch[b]].path })
	}
}

// name is a node's last path element.
func (t *table) name(id NodeID) string {
	if id == RootID {
		return "/"
	}
	return path.Base(t.nodes[id].path)
}
