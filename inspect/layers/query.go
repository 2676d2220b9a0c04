package layers

import (
	"container/heap"
	"regexp"
	"strings"
)

// Subset marks the nodes a filter keeps, indexed by NodeID.
type Subset []bool

// Filter keeps the visible paths that match re (nil matches all) and, with
// hideUnmodified, that the view's layer changed, plus the directories
// leading to them. Pass the result to Children.
func (v *View) Filter(re *regexp.Regexp, hideUnmodified bool) Subset {
	t := v.a.t
	keep := make(Subset, len(t.nodes))
	// A parent's ID is always lower than its children's: walking IDs
	// downwards reaches every child before its parent.
	for id := NodeID(len(t.nodes) - 1); id > RootID; id-- {
		if keep[id] {
			keep[t.nodes[id].parent] = true
			continue
		}
		if !v.Visible(id) {
			continue
		}
		if re != nil && !re.MatchString(DisplayPath(t.nodes[id].path)) {
			continue
		}
		if hideUnmodified {
			if _, l := v.at(id); l != v.layer {
				continue
			}
		}
		keep[id] = true
		keep[t.nodes[id].parent] = true
	}
	keep[RootID] = true
	return keep
}

// Largest returns the n largest files (not directories) the view shows,
// largest first.
func (v *View) Largest(n int) []Node {
	t := v.a.t
	h := &bySize{}
	for id := NodeID(1); int(id) < len(t.nodes); id++ {
		e, l := v.at(id)
		if e == nil || e.Type == TypeDir || e.Change == Removed || !v.Visible(id) {
			continue
		}
		if v.mode == LayerOnly && l != v.layer {
			continue
		}
		if h.Len() < n {
			heap.Push(h, sized{id, e.Size})
		} else if n > 0 && e.Size > (*h)[0].size {
			(*h)[0] = sized{id, e.Size}
			heap.Fix(h, 0)
		}
	}
	out := make([]Node, h.Len())
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = v.Node(heap.Pop(h).(sized).id)
	}
	return out
}

// Lookup finds a path ("/etc/passwd" or "etc/passwd") in the analysis.
func (a *Analysis) Lookup(p string) (NodeID, bool) {
	return a.walked().find(strings.Trim(p, "/"))
}

// Parent is a node's parent directory (-1 for the root).
func (a *Analysis) Parent(id NodeID) NodeID { return a.walked().nodes[id].parent }

type sized struct {
	id   NodeID
	size int64
}

// bySize is a min-heap of sizes.
type bySize []sized

func (h bySize) Len() int           { return len(h) }
func (h bySize) Less(i, j int) bool { return h[i].size < h[j].size }
func (h bySize) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *bySize) Push(x any)        { *h = append(*h, x.(sized)) }
func (h *bySize) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
