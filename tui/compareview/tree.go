package compareview

import (
	"sort"
	"strings"

	"github.com/buildscope/buildscope/model/compare"
)

// node is a path of the merged tree of changes: a change, a directory
// holding changes, or both.
type node struct {
	name, path string // path "/a/b"; the root is ""
	change     *compare.FileChange
	children   map[string]*node
	delta      int64 // B's bytes minus A's, this path and below
	count      int   // changes at and below this path
}

// row is one line of the tree (or of the largest changes).
type row struct {
	n     *node
	depth int
}

func (n *node) dir() bool { return len(n.children) > 0 }

// buildTree makes the tree of the changes keep accepts.
func buildTree(changes []compare.FileChange, keep func(*compare.FileChange) bool) *node {
	root := &node{children: map[string]*node{}}
	for i := range changes {
		c := &changes[i]
		if !keep(c) {
			continue
		}
		d := c.Size[1] - c.Size[0]
		n := root
		n.delta += d
		n.count++
		for _, part := range strings.Split(strings.TrimPrefix(c.Path, "/"), "/") {
			ch := n.children[part]
			if ch == nil {
				ch = &node{name: part, path: n.path + "/" + part}
				if n.children == nil {
					n.children = map[string]*node{}
				}
				n.children[part] = ch
			}
			n = ch
			n.delta += d
			n.count++
		}
		n.change = c
	}
	return root
}

// sorted are n's children by name, or by the size of their change.
func (n *node) sorted(bySize bool) []*node {
	out := make([]*node, 0, len(n.children))
	for _, c := range n.children {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if bySize {
			if a, b := abs(out[i].delta), abs(out[j].delta); a != b {
				return a > b
			}
		}
		return out[i].name < out[j].name
	})
	return out
}

// largest are the changes under n with the largest size change.
func (n *node) largest(limit int) []*node {
	var out []*node
	var walk func(*node)
	walk = func(x *node) {
		if x.change != nil {
			out = append(out, x)
		}
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(n)
	sort.Slice(out, func(i, j int) bool {
		if a, b := abs(out[i].delta), abs(out[j].delta); a != b {
			return a > b
		}
		return out[i].path < out[j].path
	})
	return out[:min(len(out), limit)]
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}
