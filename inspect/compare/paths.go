package compare

import (
	"strings"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// pathID names one path of a comparison; the root is rootID.
type pathID int32

const rootID pathID = 0

// pathKey names a path by its directory and last element.
type pathKey struct {
	dir  pathID
	name string
}

// pathNode is one path any layer of either side named.
type pathNode struct {
	path     string // absolute ("/etc/x"); "" for the root
	parent   pathID // -1 for the root
	children []pathID
}

// pathTable interns the paths of both sides' layers, so that the trees
// key their entries by a small ID: a path thousands of levels deep costs
// one hash of each element, not of each prefix, and a directory's
// subtree is found by walking it, not by scanning every path. A tar
// lists a directory's members together, so the directory of the last
// path interned is tried first.
type pathTable struct {
	nodes  []pathNode
	byName map[pathKey]pathID
	hint   pathID
	// max bounds the paths (layertar.MaxPaths unless a test says less)
	max int
	// work counts the bytes of names hashed and the paths visited by
	// climbs and walks (tests: work per entry)
	work int
}

func newPathTable() *pathTable {
	return &pathTable{nodes: []pathNode{{parent: -1}}, byName: map[pathKey]pathID{}, max: layertar.MaxPaths}
}

// intern is the ID of absolute path p ("" or "/a/b"), made with its
// parents when missing.
func (pt *pathTable) intern(p string) pathID {
	if p == "" {
		return rootID
	}
	i := strings.LastIndexByte(p, '/')
	dir := pt.dir(p[:i])
	return pt.child(dir, p[i+1:], p)
}

// dir is the ID of directory path d, by way of the hint.
func (pt *pathTable) dir(d string) pathID {
	h := pt.hint
	hp := pt.nodes[h].path
	switch {
	case hp == d:
		return h
	case h != rootID && pt.nodes[pt.nodes[h].parent].path == d:
		pt.hint = pt.nodes[h].parent
		return pt.hint
	case len(d) > len(hp) && d[len(hp)] == '/' && strings.HasPrefix(d, hp):
		// below the hint: walk down from it
	default:
		h, hp = rootID, ""
	}
	for off := len(hp); off < len(d); {
		end := strings.IndexByte(d[off+1:], '/')
		if end < 0 {
			end = len(d)
		} else {
			end += off + 1
		}
		h = pt.child(h, d[off+1:end], d[:end])
		off = end
	}
	pt.hint = h
	return h
}

// child is the child name of dir, whose path is p.
func (pt *pathTable) child(dir pathID, name, p string) pathID {
	pt.work += len(name) + 1
	k := pathKey{dir, name}
	if id, ok := pt.byName[k]; ok {
		return id
	}
	id := pathID(len(pt.nodes))
	pt.nodes = append(pt.nodes, pathNode{path: p, parent: dir})
	pt.nodes[dir].children = append(pt.nodes[dir].children, id)
	pt.byName[k] = id
	return id
}

// parent is id's directory (-1 for the root).
func (pt *pathTable) parent(id pathID) pathID {
	pt.work++
	return pt.nodes[id].parent
}
