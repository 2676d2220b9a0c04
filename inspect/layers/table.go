package layers

import (
	"cmp"
	"fmt"
	"io/fs"
	"slices"
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
	size   int64     // a file's size, a directory's total, as of the last layer applied
	delta  int64     // the change of its own bytes in the layer being applied
	parent NodeID
	dir    int32 // index in table.dirs once the node has children or changes below; else -1
	stamp  int32 // the layer (+1) in which the node was last queued in table.pend
	depth  int32 // path elements from the root (a chain: to its last directory)
	chain  int32 // over 1: a chain of that many implied directories (chain.go)
	flags  uint8 // flagMark: record the directory's total at the layer's end
}

// flagMark asks endLayer to record a directory's total in the layer.
const flagMark = 1

// childKey names a node by its parent and last path element: the path
// table is indexed by name, not by whole path, so that a path thousands
// of levels deep costs one hash of each element, not of each prefix.
type childKey struct {
	parent NodeID
	name   string
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
	nodes  []node
	dirs   []dirData
	byName map[childKey]NodeID
	hint   NodeID   // the directory of the last path looked up
	pend   []NodeID // nodes whose bytes changed, or to mark, in the layer being applied
	steps  int      // path elements and ancestors visited (tests: work per entry)
	// maxPaths bounds the paths (layertar.MaxPaths unless a test says less)
	maxPaths int
	// minChain is the fewest new directories held as one chain node
	// (the package's minChain unless a test says more)
	minChain int
	// filedOver says the layer being applied put a file over a directory
	// it had written below: a live path may then be under a non-directory
	filedOver bool
	layers    []*Layer
	contents  []content
	wasted    map[NodeID]int64 // bytes of dead copies, by the path that stored them
	total     int64            // bytes of every copy ever stored
	cur       int32            // the layer being applied
	virtual   int              // directories chains stand for beyond their one node each
	moves     []move           // entries of split chains to put back in tar order
	spans     []span           // nodes of split chains, to number as without chains
}

func newTable() *table {
	t := &table{byName: map[childKey]NodeID{}, wasted: map[NodeID]int64{}, maxPaths: layertar.MaxPaths, minChain: minChain}
	t.nodes = append(t.nodes, node{parent: -1, dir: -1})
	return t
}

// dirOf is the directory data of id, made on first use.
func (t *table) dirOf(id NodeID) *dirData {
	n := &t.nodes[id]
	if n.dir < 0 {
		n.dir = int32(len(t.dirs))
		t.dirs = append(growDouble(t.dirs), dirData{})
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
// missing or not directories, adding) its parent directories. A tar lists
// a directory's members together, so the last path's directory is tried
// first; otherwise p is walked from the root, one element at a time.
func (t *table) lookup(p string) NodeID {
	dir, name := RootID, p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, name = t.dirNode(p[:i], true), p[i+1:]
	}
	return t.named(t.child(dir, name, p, true))
}

// find is the node of p, or false; it creates nothing.
func (t *table) find(p string) (NodeID, bool) {
	if p == "" {
		return RootID, true
	}
	dir, name := RootID, p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		if dir = t.dirNode(p[:i], false); dir < 0 {
			return -1, false
		}
		name = p[i+1:]
	}
	id := t.named(t.child(dir, name, p, false))
	return id, id >= 0
}

// dirNode is the node of directory path d (made with its parents when
// create is set; else -1 when missing), by way of the hint.
func (t *table) dirNode(d string, create bool) NodeID {
	h := t.hint
	switch {
	case t.nodes[h].path == d:
		return h
	case h != RootID && t.nodes[t.nodes[h].parent].path == d:
		t.hint = t.nodes[h].parent
		return t.hint
	case t.nodes[h].path != "" && len(d) > len(t.nodes[h].path) && d[len(t.nodes[h].path)] == '/' && strings.HasPrefix(d, t.nodes[h].path):
		// a subdirectory of the hint: walk down from it
	default:
		h = RootID
	}
	rest := d
	if h != RootID {
		rest = d[len(t.nodes[h].path)+1:]
	}
	for off := len(d) - len(rest); ; {
		i := strings.IndexByte(rest, '/')
		name := rest
		if i >= 0 {
			name = rest[:i]
		}
		end := off + len(name)
		next := t.child(h, name, d[:end], false)
		switch {
		case next < 0 && !create:
			return -1
		case next < 0:
			// nothing below h has this name: every directory from here
			// down is new, one chain when there are enough of them
			levels := 1
			if i >= 0 && t.minChain <= len(d)-end {
				levels += strings.Count(d[end:], "/")
			}
			if levels < t.minChain {
				h = t.add(h, name, d[:end])
				break
			}
			h, i = t.newChain(h, name, d, levels), -1
		case t.nodes[next].chain > 1 && through(d, t.nodes[next].path):
			h = next // the whole chain is on the way: its last directory
			if end = len(t.nodes[next].path); end == len(d) {
				i = -1
			} else {
				i = end - off
			}
		case t.nodes[next].chain > 1:
			h = t.split(next, true) // the way leaves the chain, or ends inside it
		default:
			h = next
		}
		if i < 0 {
			break
		}
		rest, off = d[end+1:], end+1
	}
	t.hint = h
	return h
}

// child is the child name of dir (whose path is p), made when create is
// set; -1 when missing.
func (t *table) child(dir NodeID, name, p string, create bool) NodeID {
	t.steps++
	k := childKey{dir, name}
	if id, ok := t.byName[k]; ok {
		return id
	}
	if !create {
		return -1
	}
	return t.add(dir, name, p)
}

// add makes the node p, child name of dir; nothing below dir has that name.
func (t *table) add(dir NodeID, name, p string) NodeID {
	k := childKey{dir, name}
	id := NodeID(len(t.nodes))
	t.nodes = append(growDouble(t.nodes), node{path: p, parent: dir, dir: -1, depth: t.nodes[dir].depth + 1})
	d := t.dirOf(dir)
	d.children = append(d.children, id)
	t.byName[k] = id
	return id
}

// ensureDir makes id a live directory, adding an implicit entry for it
// and each parent the layers so far do not have as one. A live path's
// parents are live directories, so the climb stops at the first; but in
// a layer that put a file over a directory it had itself written below
// (t.filedOver), a live path may be under a file: then it climbs to the
// root.
func (t *table) ensureDir(id NodeID) {
	var missing []NodeID
	for ; id != RootID; id = t.nodes[id].parent {
		t.steps++
		if e := t.latest(id); e != nil && e.Change != Removed && e.Type == TypeDir {
			if !t.filedOver {
				break
			}
			continue
		}
		missing = append(missing, id)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		t.put(missing[i], rawEntry{typ: TypeDir, mode: fs.ModeDir | 0o755}, true)
	}
}

// ownBytes is what an entry itself adds to its directories' totals: a
// regular file's size (a hard link adds none).
func ownBytes(e *Entry) int64 {
	if e == nil || e.Change == Removed || e.Type != TypeRegular {
		return 0
	}
	return e.Size
}

// put applies a file, directory or link entry to node id.
func (t *table) put(id NodeID, r rawEntry, implicit bool) {
	prev := t.latest(id)
	wasAlive := prev != nil && prev.Change != Removed
	wasDir := wasAlive && prev.Type == TypeDir
	if wasDir && r.typ == TypeDir && prev.Mode == r.mode && prev.UID == r.uid && prev.GID == r.gid {
		t.changed(id, 0, true) // a parent written again beside a changed child
		return
	}
	old := ownBytes(prev)
	change := Added
	if wasAlive {
		if wasDir && r.typ != TypeDir {
			if kept, _ := t.hideChildren(id); kept > 0 {
				t.filedOver = true
			}
		}
		t.release(prev)
		change = Modified
	}
	e := Entry{Node: id, Path: t.nodes[id].path, Change: change, Type: r.typ, Implicit: implicit,
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
		if tid, ok := t.find(r.link); ok && t.alive(tid) {
			if te := t.latest(tid); te.content >= 0 {
				e.content = te.content
				t.contents[te.content].refs++
			}
		}
	}
	t.record(id, e)
	if c := t.nodes[id].chain; c > 1 {
		t.layers[t.cur].Added += int(c) - 1 // the chain's other directories, made with it
	}
	t.changed(id, e.Size-old, r.typ == TypeDir)
}

// remove applies a whiteout to id: the node and everything below it that
// lower layers hold disappear. Entries of the current layer stay: a
// whiteout only applies to lower layers. It reports whether id was
// removed, and the bytes removed with it.
func (t *table) remove(id NodeID, implicit bool) (bool, int64) {
	prev := t.latest(id)
	if prev == nil || prev.Change == Removed {
		return false, 0
	}
	if t.nodes[id].hist[len(t.nodes[id].hist)-1].layer == t.cur {
		return false, 0
	}
	size := ownBytes(prev)
	if prev.Type == TypeDir {
		kept, removed := t.hideChildren(id)
		if kept > 0 {
			return false, 0 // this layer put something below it: keep the directory
		}
		size = removed
	}
	t.release(prev)
	t.record(id, Entry{Node: id, Path: t.nodes[id].path, Change: Removed, Type: prev.Type,
		Implicit: implicit, Mode: prev.Mode, UID: prev.UID, GID: prev.GID, Size: size,
		Link: prev.Link, content: -1})
	t.changed(id, -ownBytes(prev), false)
	return true, size
}

// hideChildren removes id's children that lower layers hold (an opaque
// directory, or a directory replaced or whited out) and returns how many
// children the current layer keeps and the bytes removed.
func (t *table) hideChildren(id NodeID) (kept int, removed int64) {
	for _, c := range t.children(id) {
		t.steps++
		if !t.alive(c) {
			continue
		}
		if t.nodes[c].chain > 1 {
			t.split(c, true) // each directory is removed on its own
		}
		if ok, n := t.remove(c, true); ok {
			removed += n
		} else {
			kept++
		}
	}
	return kept, removed
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
	l.Entries = append(growDouble(l.Entries), e)
	l.count(e.Change, 1)
}

// growDouble is s with room for one more element, its capacity doubled
// when it is full. append grows a large slice by about a quarter: for the
// hundreds of thousands of nodes, directories and entries that a layer's
// implied directories make, the copies into fresh memory were half of
// the analysis's CPU (bench/deepimage, -cpuprofile).
func growDouble[T any](s []T) []T {
	if len(s) < cap(s) {
		return s
	}
	return slices.Grow(s, len(s)+1)
}

// changed queues node id for endLayer: its own bytes changed by delta,
// and, when mark is set, it is a directory whose total the layer records.
func (t *table) changed(id NodeID, delta int64, mark bool) {
	n := &t.nodes[id]
	if n.stamp != t.cur+1 {
		n.stamp, n.delta, n.flags = t.cur+1, 0, 0
		t.pend = append(t.pend, id)
	}
	n.delta += delta
	if mark {
		n.flags |= flagMark
	}
}

// endLayer brings the totals of the directories above every node the
// layer changed up to date, each directory once, children before their
// parents (deepest first), and records each one's total
// in the layer: time linear in the nodes changed and their ancestors,
// where adding each change to every ancestor at once cost the depth per
// change (a path 50,000 levels deep: 12 s).
func (t *table) endLayer() {
	stamp := t.cur + 1
	for i := 0; i < len(t.pend); i++ { // t.pend grows: ancestors join it
		p := t.nodes[t.pend[i]].parent
		for ; p >= 0; p = t.nodes[p].parent {
			t.steps++
			n := &t.nodes[p]
			if n.stamp == stamp {
				n.flags |= flagMark
				break
			}
			n.stamp, n.delta, n.flags = stamp, 0, flagMark
			t.pend = append(t.pend, p)
		}
	}
	slices.SortFunc(t.pend, func(a, b NodeID) int { return cmp.Compare(t.nodes[b].depth, t.nodes[a].depth) })
	for _, id := range t.pend {
		t.steps++
		n := &t.nodes[id]
		n.size += n.delta
		if n.parent >= 0 {
			t.nodes[n.parent].delta += n.delta
		}
		if n.flags&flagMark != 0 {
			t.mark(id)
		}
	}
	t.pend, t.filedOver = t.pend[:0], false
}

// mark records a directory's total at the end of the current layer, which
// changed something at or below it.
func (t *table) mark(id NodeID) {
	d := t.dirOf(id)
	d.touched = append(d.touched, dirEvent{layer: t.cur, size: t.nodes[id].size})
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
func (t *table) apply(raw *rawLayer) error {
	var opaqued map[NodeID]bool // directories this layer made opaque
	for _, r := range raw.entries {
		if t.paths() > t.maxPaths {
			return t.tooManyPaths()
		}
		switch r.op {
		case layertar.Put:
			id := t.lookup(r.path)
			t.ensureDir(t.nodes[id].parent)
			t.put(id, r, false)
		case layertar.Whiteout:
			if id, ok := t.find(r.path); ok {
				t.remove(id, false)
			}
		case layertar.Opaque:
			id := t.lookup(r.path)
			if opaqued[id] {
				continue // hidden already: a second marker hides nothing more
			}
			if opaqued == nil {
				opaqued = map[NodeID]bool{}
			}
			opaqued[id] = true
			t.ensureDir(id)
			t.hideChildren(id)
		}
	}
	if t.paths() > t.maxPaths {
		return t.tooManyPaths()
	}
	t.endLayer()
	return nil
}

func (t *table) tooManyPaths() error {
	return fmt.Errorf("the image names over %d paths, with the directories its names imply: over the bound (MaxPaths): refused", t.maxPaths)
}

// finish sorts every directory's children by name (by the element
// below the directory: siblings' whole paths share their directory's,
// which made each comparison cost the depth), and puts the entries of
// chains split on the way back in tar order.
func (t *table) finish() {
	for i := range t.dirs {
		ch := t.dirs[i].children
		slices.SortFunc(ch, func(a, b NodeID) int { return strings.Compare(t.elem(a), t.elem(b)) })
	}
	t.reorder()
}

// name is a node's last path element.
func (t *table) name(id NodeID) string {
	if id == RootID {
		return "/"
	}
	p := t.nodes[id].path
	return p[strings.LastIndexByte(p, '/')+1:]
}
