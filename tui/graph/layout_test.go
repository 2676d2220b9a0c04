package graph

import (
	"fmt"
	"strings"
	"testing"
)

func draw(nodes []Node) string {
	rows, _ := Layout(nodes)
	var b strings.Builder
	for _, r := range rows {
		if r.Node >= 0 {
			fmt.Fprintf(&b, "%s %s\n", r.Lanes, nodes[r.Node].ID)
		} else {
			fmt.Fprintf(&b, "%s\n", r.Lanes)
		}
	}
	return b.String()
}

func TestLayoutShapes(t *testing.T) {
	cases := []struct {
		name  string
		nodes []Node
		want  string
	}{
		{"builder → production → image", []Node{{"builder", nil}, {"production", []string{"builder"}}, {"image", []string{"production"}}},
			"● builder\n● production\n● image\n"},
		{"parallel builder and assets", []Node{{"builder", nil}, {"assets", nil}, {"final", []string{"builder", "assets"}}, {"image", []string{"final"}}},
			"● builder\n│ ● assets\n├─┘\n● final\n● image\n"},
		{"fan out and in", []Node{{"base", nil}, {"a", []string{"base"}}, {"b", []string{"base"}}, {"c", []string{"a", "b"}}},
			"● base\n├─┐\n● │ a\n│ ● b\n├─┘\n● c\n"},
		{"chain of five with a skip", []Node{{"s0", nil}, {"s1", []string{"s0"}}, {"s2", []string{"s1"}}, {"s3", []string{"s2", "s0"}}, {"s4", []string{"s3"}}},
			"● s0\n├─┐\n● │ s1\n● │ s2\n├─┘\n● s3\n● s4\n"},
		{"graph testdata: three roots into one", []Node{{"stage-0", nil}, {"assets", nil}, {"compile", nil}, {"combine", []string{"stage-0", "assets", "compile"}}, {"image", []string{"combine"}}},
			"● stage-0\n│ ● assets\n│ │ ● compile\n├─┴─┘\n● combine\n● image\n"},
		{"edges of two roots merging right of a lane", []Node{{"a", nil}, {"b", nil}, {"c", []string{"a"}}, {"d", []string{"a", "b"}}},
			"● a\n├─┐\n│ │ ● b\n● │ │ c\n  ├─┘\n  ● d\n"},
		{"three-way fork and join", []Node{{"base", nil}, {"x", []string{"base"}}, {"y", []string{"base"}}, {"z", []string{"base"}}, {"w", []string{"x", "y", "z"}}},
			"● base\n├─┬─┐\n● │ │ x\n│ ● │ y\n│ │ ● z\n├─┴─┘\n● w\n"},
	}
	for _, c := range cases {
		got := draw(c.nodes)
		if got != c.want {
			t.Errorf("%s:\n got:\n%s\nwant:\n%s", c.name, got, c.want)
		}
	}
}

// Every edge is drawn: a node row's lane continues down to each dependent.
func TestLayoutEveryNodeOnce(t *testing.T) {
	var nodes []Node
	for i := 0; i < 40; i++ {
		n := Node{ID: fmt.Sprintf("s%d", i)}
		if i > 0 {
			n.Deps = append(n.Deps, fmt.Sprintf("s%d", i-1))
		}
		if i > 3 && i%4 == 0 {
			n.Deps = append(n.Deps, fmt.Sprintf("s%d", i-3))
		}
		nodes = append(nodes, n)
	}
	rows, width := Layout(nodes)
	seen := map[int]int{}
	for _, r := range rows {
		if r.Node >= 0 {
			seen[r.Node]++
			if []rune(r.Lanes)[2*r.Col] != NodeGlyph {
				t.Errorf("node %d: glyph not at its lane", r.Node)
			}
		}
	}
	if len(seen) != 40 {
		t.Errorf("%d nodes drawn, want 40", len(seen))
	}
	if width > 12 {
		t.Errorf("width %d: lanes are not reused", width)
	}
}
