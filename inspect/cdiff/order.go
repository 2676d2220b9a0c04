package cdiff

import (
	"fmt"
	"sort"
	"strings"
)

// ParseDockerDiff reads `docker container diff` output ("A /tmp/x" lines)
// into changes without entries.
func ParseDockerDiff(out string) ([]Change, error) {
	var changes []Change
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l == "" {
			continue
		}
		if len(l) < 4 || l[1] != ' ' || !strings.Contains("ACD", l[:1]) || l[2] != '/' {
			return nil, fmt.Errorf("not a docker container diff line: %q", l)
		}
		changes = append(changes, Change{Kind: Kind(l[0]), Path: l[2:]})
	}
	return changes, nil
}

// Canonical orders changes the one way Diff and DiffLayer print them. The
// engine walks directories in Go map order, so the order of siblings in its
// output varies from run to run; what is fixed is the shape: a directory's
// line comes before the lines under it, and in each directory deletions
// come after the other changes. Canonical keeps that shape and sorts
// siblings bytewise.
func Canonical(changes []Change) []Change {
	type node struct {
		c    *Change
		kids map[string]*node
	}
	root := &node{kids: map[string]*node{}}
	for i := range changes {
		n := root
		for _, part := range strings.Split(changes[i].Path[1:], "/") {
			k := n.kids[part]
			if k == nil {
				k = &node{kids: map[string]*node{}}
				n.kids[part] = k
			}
			n = k
		}
		n.c = &changes[i]
	}
	out := make([]Change, 0, len(changes))
	var emit func(*node)
	emit = func(n *node) {
		if n.c != nil {
			out = append(out, *n.c)
		}
		names := make([]string, 0, len(n.kids))
		for k := range n.kids {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, deleted := range []bool{false, true} {
			for _, k := range names {
				if k := n.kids[k]; (k.c != nil && k.c.Kind == Deleted) == deleted {
					emit(k)
				}
			}
		}
	}
	emit(root)
	return out
}

// Lines prints changes as `docker container diff` does, one per line.
func Lines(changes []Change) string {
	var b strings.Builder
	for _, c := range changes {
		b.WriteString(c.String())
		b.WriteByte('\n')
	}
	return b.String()
}
