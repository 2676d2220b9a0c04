package layers

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func viewImage(t *testing.T) *Analysis {
	return analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Sized("etc/passwd", 30), imagetest.Sized("etc/hosts", 10), imagetest.Sized("usr/lib/big.so", 900), imagetest.Sized("usr/lib/small.so", 90)},
		[]imagetest.File{imagetest.Sized("etc/hosts", 12), imagetest.Sized("app/main", 400), imagetest.Sized("app/conf/x.yaml", 5)},
	))
}

func TestViewSortFilterLargest(t *testing.T) {
	a := viewImage(t)
	v := a.View(1, Aggregated)
	var names []string
	for _, n := range v.Children(RootID, BySize, nil) {
		names = append(names, n.Name)
	}
	if want := []string{"usr", "app", "etc"}; !reflect.DeepEqual(names, want) {
		t.Errorf("by size %q, want %q", names, want)
	}
	keep := v.Filter(regexp.MustCompile(`\.so$`), false)
	if got := pathsIn(v, keep); !reflect.DeepEqual(got, []string{"usr", "usr/lib", "usr/lib/big.so", "usr/lib/small.so"}) {
		t.Errorf("filter .so: %q", got)
	}
	keep = v.Filter(nil, true)
	if got := pathsIn(v, keep); !reflect.DeepEqual(got, []string{"app", "app/conf", "app/conf/x.yaml", "app/main", "etc", "etc/hosts"}) {
		t.Errorf("hide unmodified: %q", got)
	}
	var largest []string
	for _, n := range v.Largest(3) {
		largest = append(largest, n.Path)
	}
	if want := []string{"usr/lib/big.so", "app/main", "usr/lib/small.so"}; !reflect.DeepEqual(largest, want) {
		t.Errorf("largest %q, want %q", largest, want)
	}
	lo := a.View(1, LayerOnly)
	if got := paths(lo); !reflect.DeepEqual(got, []string{"app/ added", "app/conf/ added", "app/conf/x.yaml added", "app/main added", "etc/ modified", "etc/hosts modified"}) {
		t.Errorf("layer only: %q", got)
	}
	if n := nodeAt(t, lo, "/"); n.Size != 417 {
		t.Errorf("layer 1's own bytes: %d", n.Size)
	}
	if n := nodeAt(t, a.View(0, Aggregated), "etc/hosts"); n.Size != 10 || n.Change != Added || n.Layer != 0 {
		t.Errorf("etc/hosts at 0: %+v", n)
	}
	if n := nodeAt(t, v, "etc/passwd"); n.Change != Unmodified || n.Layer != 0 {
		t.Errorf("etc/passwd at 1: %+v", n)
	}
}

func pathsIn(v *View, keep Subset) []string {
	var out []string
	var walk func(NodeID)
	walk = func(id NodeID) {
		for _, n := range v.Children(id, ByName, keep) {
			out = append(out, n.Path)
			walk(n.ID)
		}
	}
	walk(RootID)
	return out
}

func TestDisplayPath(t *testing.T) {
	for in, want := range map[string]string{"": "/", "a/b": "/a/b", "caf\xe9": `/caf\xe9`, "ok/ü": "/ok/ü"} {
		if got := DisplayPath(in); got != want {
			t.Errorf("DisplayPath(%q) = %q, want %q", in, got, want)
		}
	}
}
