// Package graph lays out and draws the stage graph: one node per stage and
// one for the final image, an edge for every dependency, drawn with
// box-drawing lines in lanes like `git log --graph`, so that parallel
// stages sit side by side and edges never overlap.
package graph

import "strings"

// Node is one node of the graph; Deps name earlier nodes it depends on.
// Nodes must be given in an order where every dependency comes first
// (Dockerfile stage order is such an order).
type Node struct {
	ID   string
	Deps []string
}

// Row is one line of the drawing: the lanes (two cells per lane, box
// drawing) and, on a node row, the index of the node drawn on it.
type Row struct {
	Lanes string
	// Node is the index of the node on this row, or -1 for a row that only
	// joins or splits lanes.
	Node int
	// Col is the lane of the node (its glyph is at cell 2*Col).
	Col int
}

// NodeGlyph marks the node's cell in Row.Lanes; renderers replace it with
// the node's status glyph.
const NodeGlyph = '●'

// Layout places the nodes in lanes and returns the rows to draw, and the
// width in cells of the widest row.
func Layout(nodes []Node) ([]Row, int) {
	dependents := map[string][]string{}
	for _, n := range nodes {
		for _, d := range n.Deps {
			dependents[d] = append(dependents[d], n.ID)
		}
	}
	var lanes []string // lane → the node its edge goes to; "" free
	var rows []Row
	width := 0
	emit := func(r Row) {
		r.Lanes = strings.TrimRight(r.Lanes, " ")
		if w := len([]rune(r.Lanes)); w > width {
			width = w
		}
		rows = append(rows, r)
	}
	for idx, n := range nodes {
		var targets []int
		for i, t := range lanes {
			if t == n.ID {
				targets = append(targets, i)
			}
		}
		var col int
		if len(targets) == 0 {
			col = freeLane(&lanes, -1)
		} else {
			col = targets[0]
		}
		if len(targets) > 1 {
			emit(Row{Lanes: joinRow(lanes, col, targets[1:], '┴', '┘'), Node: -1, Col: col})
			for _, t := range targets[1:] {
				lanes[t] = ""
			}
		}
		lanes[col] = n.ID
		emit(Row{Lanes: nodeRow(lanes, col), Node: idx, Col: col})
		outs := dependents[n.ID]
		lanes[col] = ""
		if len(outs) == 0 {
			continue
		}
		lanes[col] = outs[0]
		var extra []int
		for _, o := range outs[1:] {
			l := freeLane(&lanes, col)
			lanes[l] = o
			extra = append(extra, l)
		}
		if len(extra) > 0 {
			emit(Row{Lanes: joinRow(lanes, col, extra, '┬', '┐'), Node: -1, Col: col})
		}
	}
	return rows, width
}

// freeLane returns the first free lane right of after (or the first free
// lane at all when after is -1), growing the lanes when none is free.
func freeLane(lanes *[]string, after int) int {
	for i := after + 1; i < len(*lanes); i++ {
		if (*lanes)[i] == "" {
			return i
		}
	}
	*lanes = append(*lanes, "")
	return len(*lanes) - 1
}

// joinRow draws lanes merging into (or splitting from) lane col: the
// others are marked mid or end, lanes crossed on the way get ┼.
func joinRow(lanes []string, col int, others []int, mid, end rune) string {
	last := others[len(others)-1]
	is := map[int]bool{}
	for _, o := range others {
		is[o] = true
	}
	var b strings.Builder
	for i := range lanes {
		var c rune
		switch {
		case i == col:
			c = '├'
		case i == last:
			c = end
		case is[i]:
			c = mid
		case i > col && i < last && lanes[i] != "":
			c = '┼'
		case i > col && i < last:
			c = '─'
		case lanes[i] != "":
			c = '│'
		default:
			c = ' '
		}
		b.WriteRune(c)
		if i >= col && i < last {
			b.WriteRune('─')
		} else {
			b.WriteRune(' ')
		}
	}
	return b.String()
}

func nodeRow(lanes []string, col int) string {
	var b strings.Builder
	for i, t := range lanes {
		switch {
		case i == col:
			b.WriteRune(NodeGlyph)
		case t != "":
			b.WriteRune('│')
		default:
			b.WriteRune(' ')
		}
		b.WriteRune(' ')
	}
	return b.String()
}
