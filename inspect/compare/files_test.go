package compare

import (
	"context"
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/model/compare"
)

func changeLines(c *Images) []string {
	var got []string
	for _, f := range c.Files {
		got = append(got, fmt.Sprintf("%s @%d/%d", f.String(), f.Layer[0], f.Layer[1]))
	}
	return got
}

// What B's own layers remove from the layers both share — a whited-out
// directory, an opaque directory, a file put where a directory was —
// shows as removed, and what A's own layers add under those directories
// as well; files only moved to another layer with the same content are
// not changes.
func TestCompareOverSharedBase(t *testing.T) {
	base := imagetest.Members("etc/", "etc/keep=k", "opt/", "opt/x/", "opt/x/a=1", "opt/x/b=2", "srv/", "srv/s=s", "var/", "var/v=v")
	a := imagetest.Image(t, base, imagetest.Members("opt/x/c=3", "etc/keep=k"))
	b := imagetest.Image(t, base, []imagetest.File{imagetest.Whiteout("opt/x"), imagetest.Opaque("srv/"), imagetest.Text("srv/t", "t"), imagetest.Text("var", "now a file")})
	c, err := Compare(context.Background(), a, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"D /opt/x @0/-1", "D /opt/x/a @0/-1", "D /opt/x/b @0/-1", "D /opt/x/c @1/-1",
		"D /srv/s @0/-1", "A /srv/t @-1/1",
		"C /var (type) @0/1", "D /var/v @0/-1",
	}
	if got := changeLines(c); !slices.Equal(got, want) {
		t.Errorf("changes\n%q\nwant\n%q", got, want)
	}
	if c.SharedLayers != 1 {
		t.Errorf("shared layers %d, want 1", c.SharedLayers)
	}
}

// Random images sharing a random number of bottom layers compare as
// their fully flattened filesystems do (each side's layers applied alone
// to an empty tree, then diffed path by path by compare.DiffFiles).
func TestCompareMatchesFullFlattening(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 7))
		shared := rng.IntN(3)
		var base [][]imagetest.File
		for range shared {
			base = append(base, randomLayer(rng))
		}
		la := append(slices.Clone(base), randomLayers(rng)...)
		lb := append(slices.Clone(base), randomLayers(rng)...)
		a, b := imagetest.Image(t, la...), imagetest.Image(t, lb...)
		got, err := Compare(context.Background(), a, b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		seed := maphash.MakeSeed() // one for both sides, not Compare's
		fa, fb := flatten(t, a, seed), flatten(t, b, seed)
		want, _ := compare.DiffFiles(fa, fb, [2][]string{})
		var g, w []string
		for _, c := range got.Files {
			g = append(g, fmt.Sprintf("%s %v %v", c.String(), c.Size, c.Layer))
		}
		for _, c := range want {
			w = append(w, fmt.Sprintf("%s %v %v", c.String(), c.Size, c.Layer))
		}
		if !slices.Equal(g, w) {
			t.Fatalf("seed %d (%d shared): changes\n%q\nwant\n%q", seed, shared, g, w)
		}
	}
}

var names = []string{"a", "a/b", "a/b/c", "a/d", "e", "e/f", "e/f/g", "h"}

func randomLayers(rng *rand.Rand) [][]imagetest.File {
	var out [][]imagetest.File
	for range rng.IntN(3) {
		out = append(out, randomLayer(rng))
	}
	return out
}

// randomLayer puts, whites out and makes opaque a few of a small set of
// names, so that layers often collide.
func randomLayer(rng *rand.Rand) []imagetest.File {
	var fs []imagetest.File
	seen := map[string]bool{}
	for range 1 + rng.IntN(5) {
		p := names[rng.IntN(len(names))]
		if seen[p] {
			continue
		}
		seen[p] = true
		switch rng.IntN(6) {
		case 0:
			fs = append(fs, imagetest.Whiteout(p))
		case 1:
			fs = append(fs, imagetest.Opaque(p+"/"))
		case 2:
			fs = append(fs, imagetest.Dir(p+"/"))
		case 3:
			fs = append(fs, imagetest.Symlink(p, "/x"))
		default:
			fs = append(fs, imagetest.Text(p, fmt.Sprint(rng.IntN(3))))
		}
	}
	return fs
}

// flatten applies every layer of img to one tree of its own.
func flatten(t *testing.T, img v1.Image, seed maphash.Seed) compare.FileSet {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	tr := newTree(nil)
	var ids []string
	for i, l := range ls {
		d, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.String())
		idx, err := readLayer(context.Background(), l, seed)
		if err != nil {
			t.Fatal(err)
		}
		tr.apply(idx, int16(i))
	}
	fs := compare.FileSet{}
	for p, e := range tr.own {
		if p == "" {
			p = "/"
		}
		fs[p] = e.entry(ids)
	}
	return fs
}

// A hard link into AUFS's .wh..wh.plnk store arrives with its content
// already read by the layer reader: compare knows it only as what its
// layer put there. The same layer on both sides is no change; another
// layer's file at the path is reported as a content change, never
// silently equal.
func TestCompareAUFSLinkIsKnownByItsLayer(t *testing.T) {
	aufs := []imagetest.File{imagetest.Dir("usr/"), imagetest.Text(".wh..wh.plnk/1.2", "abc"), imagetest.Hardlink("usr/x", ".wh..wh.plnk/1.2")}
	a := imagetest.Image(t, aufs)
	b := imagetest.Image(t, aufs, imagetest.Members("etc/", "etc/y=1"))
	c, err := Compare(context.Background(), a, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := changeLines(c), []string{"A /etc @-1/1", "A /etc/y @-1/1"}; !slices.Equal(got, want) {
		t.Errorf("same AUFS layer: changes %q, want %q", got, want)
	}
	plain := imagetest.Image(t, imagetest.Members("usr/", "usr/x=abc"))
	c, err = Compare(context.Background(), a, plain, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := changeLines(c), []string{"C /usr/x (content) @0/0"}; !slices.Equal(got, want) {
		t.Errorf("another layer: changes %q, want %q", got, want)
	}
	other := imagetest.Image(t, []imagetest.File{imagetest.Dir("usr/"), imagetest.Text(".wh..wh.plnk/1.2", "xyz"), imagetest.Hardlink("usr/x", ".wh..wh.plnk/1.2")})
	c, err = Compare(context.Background(), a, other, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := changeLines(c), []string{"C /usr/x (content) @0/0"}; !slices.Equal(got, want) {
		t.Errorf("another AUFS layer, same size: changes %q, want %q", got, want)
	}
}
