package layers

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// counts is what a layer reports without walking the tree: what
// inspect --json prints of it.
func counts(a *Analysis) string {
	var b strings.Builder
	for i, l := range a.Layers {
		fmt.Fprintf(&b, "layer %d: +%d ~%d -%d, %d bytes\n", i, l.Added, l.Modified, l.Removed, l.SizeBytes)
	}
	fmt.Fprintf(&b, "size %d, wasted %d, efficiency %v\n", a.SizeBytes, a.WastedBytes, a.Efficiency)
	for _, in := range a.Inefficiencies {
		fmt.Fprintf(&b, "waste %s x%d %d\n", in.Path, in.Count, in.WastedBytes)
	}
	return b.String()
}

// walk is everything a walk of the analysis shows: every layer's
// entries, and in both modes of every layer's view every node (ID
// included), the largest files, the paths a filter of changes keeps,
// and the links resolved.
func walk(a *Analysis) string {
	var b strings.Builder
	a.walked() // what the first View or Lookup does: Entries are then complete
	for li, l := range a.Layers {
		for _, e := range l.Entries {
			fmt.Fprintf(&b, "L%d entry %d %s %v %v implicit=%v %v %d:%d %d %q\n", li, e.Node, e.Path, e.Change, e.Type, e.Implicit, e.Mode, e.UID, e.GID, e.Size, e.Link)
		}
		for _, mode := range []Mode{Aggregated, LayerOnly} {
			v := a.View(li, mode)
			var rec func(NodeID, Subset)
			rec = func(id NodeID, keep Subset) {
				for _, n := range v.Children(id, ByName, keep) {
					fmt.Fprintf(&b, "L%d/%d node %+v\n", li, mode, n)
					if p := a.Parent(n.ID); p != id {
						fmt.Fprintf(&b, "  parent %d, want %d\n", p, id)
					}
					if got, ok := a.Lookup(n.Path); !ok || got != n.ID {
						fmt.Fprintf(&b, "  lookup %d %v\n", got, ok)
					}
					if n.Type == TypeSymlink {
						got, p, err := v.Resolve(n.Path)
						fmt.Fprintf(&b, "  resolves to %d %s %v\n", got, p, err)
					}
					rec(n.ID, keep)
				}
			}
			rec(RootID, nil)
			fmt.Fprintf(&b, "L%d/%d root %+v\n", li, mode, v.Node(RootID))
			for _, n := range v.Largest(3) {
				fmt.Fprintf(&b, "L%d/%d largest %s %d\n", li, mode, n.Path, n.Size)
			}
			rec(RootID, v.Filter(nil, true))
		}
	}
	return b.String()
}

// withoutChains analyses the layers as a table making every implied
// directory its own node would: the behaviour before chains.
func withoutChains(t *testing.T, ls [][]imagetest.File) *Analysis {
	t.Helper()
	return analyseWith(t, imagetest.Image(t, ls...), Options{minChain: math.MaxInt})
}

// sameAsWithoutChains checks that the layers' counts (read before any
// walk, as inspect --json reads them) and everything a walk shows are
// those of a table without chains, and returns how many chains the
// analysis made.
func sameAsWithoutChains(t *testing.T, name string, ls [][]imagetest.File) int {
	t.Helper()
	a := analyse(t, imagetest.Image(t, ls...))
	chains := len(a.t.spans)
	for _, n := range a.t.nodes {
		if n.chain > 1 {
			chains++
		}
	}
	got := counts(a)
	if a.t.virtual == 0 && chains == 0 {
		t.Logf("%s: no chain made", name)
	}
	old := withoutChains(t, ls)
	if want := counts(old); got != want {
		t.Errorf("%s: counts with chains:\n%s\nwithout:\n%s", name, got, want)
	}
	if got, want := walk(a), walk(old); got != want {
		t.Errorf("%s: the walked analysis differs from one without chains:\n%s", name, firstDiff(got, want))
	}
	if a.t.virtual != 0 {
		t.Errorf("%s: %d directories still in chains after a walk", name, a.t.virtual)
	}
	return chains
}

// firstDiff shows the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := 0; i < len(g) || i < len(w); i++ {
		var x, y string
		if i < len(g) {
			x = g[i]
		}
		if i < len(w) {
			y = w[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n got  %s\n want %s", i+1, x, y)
		}
	}
	return "(same lines)"
}

// A chain of implied directories is counted, split and walked exactly
// as its directories one by one would be, whatever later names it: a
// sibling, a whiteout of a middle directory, an opaque marker, a link
// into it or placed in it, a rewrite, in its own layer or a later one.
func TestChainsCountAndWalkAsTheirDirectories(t *testing.T) {
	deep := "a/b/c/d/e"
	f := imagetest.Sized(deep+"/f", 10)
	for _, c := range []struct {
		name string
		ls   [][]imagetest.File
	}{
		{"alone", [][]imagetest.File{{f}}},
		{"a second file at the bottom, no split", [][]imagetest.File{{f, imagetest.Sized(deep+"/g", 3)}, {imagetest.Sized(deep+"/h", 4)}}},
		{"a sibling in the middle, same layer", [][]imagetest.File{{f, imagetest.Sized("a/b/x", 5)}}},
		{"a sibling in the middle, a later layer", [][]imagetest.File{{f}, {imagetest.Sized("a/b/c/x", 5)}}},
		{"a sibling of the top", [][]imagetest.File{{f}, {imagetest.Sized("x", 5)}, {imagetest.Sized("a/y", 1)}}},
		{"a whiteout of a middle directory", [][]imagetest.File{{f}, {imagetest.Whiteout("a/b/c")}}},
		{"a whiteout of the top", [][]imagetest.File{{f}, {imagetest.Whiteout("a")}}},
		{"a whiteout of the last directory", [][]imagetest.File{{f}, {imagetest.Whiteout(deep)}}},
		{"a whiteout of the file only", [][]imagetest.File{{f}, {imagetest.Whiteout(deep + "/f")}}},
		{"a whiteout of a missing name beside the chain", [][]imagetest.File{{f}, {imagetest.Whiteout("a/b/zz")}}},
		{"a whiteout in its own layer (no effect)", [][]imagetest.File{{f, imagetest.Whiteout("a/b/c")}}},
		{"an opaque middle directory, refilled", [][]imagetest.File{{f}, {imagetest.Opaque("a/b/"), imagetest.Sized("a/b/n", 7)}}},
		{"an opaque last directory", [][]imagetest.File{{f}, {imagetest.Opaque(deep + "/")}}},
		{"an opaque marker makes the chain", [][]imagetest.File{{imagetest.Opaque("p/q/r/")}}},
		{"a hard link to the file, from outside", [][]imagetest.File{{f, imagetest.Hardlink("h", deep+"/f")}, {imagetest.Whiteout(deep + "/f")}}},
		{"a hard link placed in the chain", [][]imagetest.File{{f}, {imagetest.Hardlink("a/b/h", deep+"/f")}}},
		{"a hard link to a middle directory", [][]imagetest.File{{f}, {imagetest.Hardlink("h", "a/b/c")}}},
		{"a hard link to a missing name in the chain", [][]imagetest.File{{f, imagetest.Hardlink("h", "a/b/zz/y")}}},
		{"a symlink into the chain", [][]imagetest.File{{f, imagetest.Symlink("s", "a/b/c")}, {imagetest.Symlink("t", "/a/b/c/d/e/f")}}},
		{"a symlink placed in the chain", [][]imagetest.File{{f}, {imagetest.Symlink("a/b/c/s", "../x")}}},
		{"a middle directory written as a member after the file", [][]imagetest.File{{f, imagetest.Dir("a/b/")}}},
		{"the last directory written as a member after the file", [][]imagetest.File{{f, imagetest.Dir(deep + "/")}}},
		{"a middle directory chmod in a later layer", [][]imagetest.File{{f}, {{Name: "a/b/c/", Type: '5', Mode: 0o700}}}},
		{"a file put over a middle directory, same layer", [][]imagetest.File{{f, imagetest.Sized("a/b", 9), imagetest.Sized(deep+"/g", 1)}}},
		{"a file put over a middle directory, a later layer", [][]imagetest.File{{f}, {imagetest.Sized("a/b/c", 9)}}},
		{"a chain below a chain, then the upper split", [][]imagetest.File{{f}, {imagetest.Sized(deep+"/p/q/r/g", 2)}, {imagetest.Sized("a/b/c/x", 1)}}},
		{"a chain below a chain, then the lower split", [][]imagetest.File{{f, imagetest.Sized(deep+"/p/q/r/g", 2)}, {imagetest.Sized(deep+"/p/x", 1)}}},
		{"a chain below an existing directory, across layers", [][]imagetest.File{{imagetest.Dir("usr/")}, {imagetest.Sized("usr/lib/x/y/z", 4)}, {imagetest.Sized("usr/lib/x/w", 4)}}},
		{"a whiteout of the directory above a chain", [][]imagetest.File{{imagetest.Dir("usr/")}, {imagetest.Sized("usr/lib/x/y/z", 4)}, {imagetest.Whiteout("usr")}}},
		{"an opaque directory above a chain", [][]imagetest.File{{imagetest.Dir("usr/")}, {imagetest.Sized("usr/lib/x/y/z", 4)}, {imagetest.Opaque("usr/"), imagetest.Sized("usr/n", 1)}}},
		{"a chain where a directory was removed", [][]imagetest.File{{imagetest.Sized("a/b/f", 1)}, {imagetest.Whiteout("a")}, {f}, {imagetest.Sized("a/b/g", 2)}}},
		{"many chains beside each other, split in turn", [][]imagetest.File{
			{imagetest.Sized("w/c1/x/y/f", 1), imagetest.Sized("w/c2/x/y/f", 2), imagetest.Sized("w/c3/x/y/f", 3)},
			{imagetest.Whiteout("w/c2/x"), imagetest.Sized("w/c3/x/z", 4), imagetest.Sized("w/c1/x/y/g", 5)}}},
	} {
		t.Run(c.name, func(t *testing.T) { sameAsWithoutChains(t, c.name, c.ls) })
	}
}

// On random small shapes (a few layers of files, directories, links,
// whiteouts and opaque markers over deep names sharing their first
// elements), the table with chains counts, and once walked shows,
// exactly what the table without them does.
func TestChainsMatchATableWithoutThemOnRandomShapes(t *testing.T) {
	elems := []string{"a", "b", "c"}
	name := func(rng *rand.Rand) string {
		var p []string
		for d := 1 + rng.IntN(6); d > 0; d-- {
			p = append(p, elems[rng.IntN(len(elems))])
		}
		return strings.Join(p, "/")
	}
	chains := 0
	for seed := uint64(0); seed < 300; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		var ls [][]imagetest.File
		for l := 1 + rng.IntN(4); l > 0; l-- {
			var fs []imagetest.File
			for k := 1 + rng.IntN(8); k > 0; k-- {
				n := name(rng)
				switch rng.IntN(9) {
				case 0:
					fs = append(fs, imagetest.Whiteout(n))
				case 1:
					fs = append(fs, imagetest.Opaque(n+"/"))
				case 2:
					fs = append(fs, imagetest.Dir(n+"/"))
				case 3:
					fs = append(fs, imagetest.Hardlink(n, name(rng)))
				case 4:
					fs = append(fs, imagetest.Symlink(n, name(rng)))
				default:
					fs = append(fs, imagetest.Sized(n, 1+rng.IntN(100)))
				}
			}
			ls = append(ls, fs)
		}
		chains += sameAsWithoutChains(t, fmt.Sprintf("seed %d", seed), ls)
	}
	if chains < 300 {
		t.Errorf("%d chains made over 300 shapes: the shapes hardly test them", chains)
	}
}

// What inspect --json reads (the counts, the waste) does not split a
// chain: 100 names 1,000 levels deep are 100 chains after the report,
// and the work (path elements and ancestors visited) does not grow
// with the depth. Made one by one, the 100,100 directories cost 100
// times the listing of the tar (issue 30).
func TestCountsLeaveChainsWhole(t *testing.T) {
	image := func(depth int) *Analysis {
		var files []imagetest.File
		for i := 0; i < 100; i++ {
			files = append(files, imagetest.Sized(fmt.Sprintf("c%d/%sf", i, strings.Repeat("a/", depth)), 10))
		}
		return analyse(t, imagetest.Image(t, files))
	}
	a := image(1000)
	r := NewReport("img", "sha256:x", a)
	if r.Layers[0].Added != 100*1002 {
		t.Fatalf("%d added, want %d", r.Layers[0].Added, 100*1002)
	}
	if len(a.t.nodes) != 201 || a.t.virtual != 100*1000 {
		t.Errorf("%d nodes, %d directories in chains after the report: want 201 (the root, 100 chains, 100 files) and 100,000", len(a.t.nodes), a.t.virtual)
	}
	small, big := a.t.steps, image(2000).t.steps
	if big != small {
		t.Errorf("depth 1,000: %d steps, depth 2,000: %d: the work grows with the depth", small, big)
	}
	// walked, it is every directory
	a.View(0, Aggregated)
	if len(a.t.nodes) != 1+100*1002 || a.t.virtual != 0 {
		t.Errorf("walked: %d nodes, %d in chains; want %d, 0", len(a.t.nodes), a.t.virtual, 1+100*1002)
	}
}

// Views made at once from several goroutines (a UI and its preview)
// split the chains once, and read the same tree (go test -race).
func TestChainsSplitOnceForConcurrentViews(t *testing.T) {
	a := analyse(t, imagetest.Image(t, []imagetest.File{imagetest.Sized("a/b/c/d/f", 3), imagetest.Sized("x/y/z/g", 4)}))
	out := make(chan string, 4)
	for range 4 {
		go func() {
			v := a.View(0, Aggregated)
			out <- fmt.Sprint(paths(v))
		}()
	}
	first := <-out
	for range 3 {
		if got := <-out; got != first {
			t.Errorf("views differ:\n%s\n%s", got, first)
		}
	}
	if want := "[a/ added a/b/ added a/b/c/ added a/b/c/d/ added a/b/c/d/f added x/ added x/y/ added x/y/z/ added x/y/z/g added]"; first != want {
		t.Errorf("got %s, want %s", first, want)
	}
}
