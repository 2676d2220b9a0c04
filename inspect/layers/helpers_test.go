package layers

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func analyse(t testing.TB, img v1.Image) *Analysis { t.Helper(); return analyseWith(t, img, Options{}) }

// analyseWith is analyse with options.
func analyseWith(t testing.TB, img v1.Image, o Options) *Analysis {
	t.Helper()
	a, err := Analyze(context.Background(), img, o)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return a
}

// paths lists the paths a view shows below the root, depth first, with
// "/" after directories, and their change when not unmodified.
func paths(v *View) []string {
	var out []string
	var walk func(NodeID)
	walk = func(id NodeID) {
		for _, n := range v.Children(id, ByName, nil) {
			s := n.Path
			if n.Type == TypeDir {
				s += "/"
			}
			if n.Change != Unmodified {
				s += " " + n.Change.String()
			}
			out = append(out, s)
			walk(n.ID)
		}
	}
	walk(RootID)
	return out
}

func nodeAt(t testing.TB, v *View, p string) Node {
	t.Helper()
	id, ok := v.a.Lookup(p)
	if !ok || !v.Visible(id) {
		t.Fatalf("%s is not in the view of layer %d", p, v.Layer())
	}
	return v.Node(id)
}
