package compare

import (
	"archive/tar"
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"maps"
	"math/rand/v2"
	"path"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

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
// to an empty tree, then diffed path by path by compare.DiffFiles), and,
// where the images are well-formed, as go-containerregistry's
// mutate.Extract flattens them (see extracted), diffed by the test
// itself: every path added, removed or changed, what changed, each
// side's size, and the sums per top-level directory. The first oracle
// shares compare's layer reader and apply, and alone checks the layer
// each change comes from; the second shares nothing with compare. Seeds
// go on past 40 until 40 have been checked by both.
func TestCompareMatchesFullFlattening(t *testing.T) {
	checked := 0 // seeds the second oracle checked
	for seed := uint64(0); seed < 40 || checked < 40; seed++ {
		if seed == 1000 {
			t.Fatalf("only %d of 1000 seeds made well-formed images", checked)
		}
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
		hseed := maphash.MakeSeed() // one for both sides, not Compare's
		fa, fb := flatten(t, a, hseed), flatten(t, b, hseed)
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
		// the same again against an oracle that shares no code with
		// compare: go-containerregistry's own flattening
		if !wellFormed(t, la) || !wellFormed(t, lb) {
			continue
		}
		checked++
		g = g[:0]
		for _, c := range got.Files {
			what := slices.Sorted(slices.Values(c.What))
			g = append(g, fmt.Sprintf("%s %s %v %v", c.Kind, c.Path, what, c.Size))
		}
		w = extractedChanges(extracted(t, la), extracted(t, lb))
		if !slices.Equal(g, w) {
			t.Fatalf("seed %d (%d shared): changes\n%q\nmutate.Extract's trees differ by\n%q", seed, shared, g, w)
		}
		var gd []string
		for _, d := range got.Dirs {
			gd = append(gd, fmt.Sprintf("%s +%d -%d ~%d %d", d.Path, d.Added, d.Removed, d.Changed, d.Delta))
		}
		slices.Sort(gd)
		if wd := extractedDirs(w); !slices.Equal(gd, wd) {
			t.Fatalf("seed %d (%d shared): per-directory sums %q, want %q", seed, shared, gd, wd)
		}
	}
}

// wellFormed reports whether no layer puts a member under a path that
// is a non-directory there: in the tree below (as Extract flattens it),
// unless the layer whites it out or puts a directory in its place, or in
// the layer itself. The OCI image spec leaves such a tree undefined, and
// unpackers differ on it: Extract keeps a file "a" with "a/b" under it
// and removes both with a whiteout of "a", where compare keeps what is
// under a non-directory it removes.
func wellFormed(t *testing.T, layers [][]imagetest.File) bool {
	t.Helper()
	for i, l := range layers {
		below := extracted(t, layers[:i])
		frees := map[string]bool{} // what l whites out or makes a directory
		for _, f := range l {
			p, b := path.Clean(f.Name), path.Base(f.Name)
			switch {
			case b == ".wh..wh..opq":
			case strings.HasPrefix(b, ".wh."):
				frees[path.Join(path.Dir(p), b[len(".wh."):])] = true
			case f.Type == tar.TypeDir:
				frees[p] = true
			}
		}
		for _, f := range l {
			p := path.Clean(f.Name)
			for d := path.Dir(p); d != "."; d = path.Dir(d) {
				if slices.ContainsFunc(l, func(g imagetest.File) bool {
					return path.Clean(g.Name) == d && g.Type != tar.TypeDir
				}) {
					return false
				}
				if n, ok := below["/"+d]; ok && !n.dir && !frees[d] && !slices.ContainsFunc(slices.Collect(maps.Keys(frees)), func(w string) bool {
					return strings.HasPrefix(d, w+"/")
				}) {
					return false
				}
			}
		}
	}
	return true
}

// xnode is one path of an image as mutate.Extract's tar shows it.
type xnode struct {
	dir      bool
	regular  bool
	body     string // a regular file's content
	size     int64
	link     string
	mode     int64
	uid, gid int
}

// extracted is the image of layers flattened by go-containerregistry's
// mutate.Extract and read back with archive/tar, by absolute path.
//
// Extract (v0.22.1) applies whiteouts and opaque directories
// (".wh..wh..opq" hides the lower layers' children of its directory and
// keeps the directory, as the OCI image spec says), but differs from the
// spec, or cannot show what the spec keeps, in two ways this oracle
// makes up for in its copy of each layer:
//   - a whiteout also hides what its own layer puts under it later in
//     the tar (".wh.a" then "a/b" loses a/b), where the spec applies a
//     whiteout to lower layers only: the copy has its whiteouts last,
//     which by the spec changes nothing;
//   - a directory no member names, only implies ("a/b" with no "a/"),
//     is not in Extract's tar, yet stays once made, as an unpacker
//     (containerd's) makes it, after a later layer removes what was in
//     it: the copy holds, beside each such directory D, a sentinel file
//     that the copy's layers remove wherever they remove D (a whiteout
//     of D, a non-directory put at D; what removes D's parent removes
//     it by itself), and a surviving sentinel says D is there, with no
//     mode or owner (zero), since no header gives it one.
func extracted(t *testing.T, layers [][]imagetest.File) map[string]xnode {
	t.Helper()
	const implied = ".implied."
	sentinel := func(d string) string { return path.Join(path.Dir(d), implied+path.Base(d)) }
	var ordered [][]imagetest.File
	for _, l := range layers {
		var puts, outs []imagetest.File
		named := map[string]bool{}
		for _, f := range l {
			named[path.Clean(f.Name)] = true
		}
		made := map[string]bool{}
		for _, f := range l {
			p, b := path.Clean(f.Name), path.Base(f.Name)
			switch {
			case b == ".wh..wh..opq":
				puts = append(puts, f)
			case strings.HasPrefix(b, ".wh."):
				outs = append(outs, f, imagetest.Whiteout(sentinel(path.Join(path.Dir(p), b[len(".wh."):]))))
			default:
				puts = append(puts, f)
				if f.Type != tar.TypeDir {
					outs = append(outs, imagetest.Whiteout(sentinel(p)))
				}
				for d := path.Dir(p); d != "."; d = path.Dir(d) {
					if !named[d] && !made[d] {
						made[d] = true
						puts = append(puts, imagetest.Text(sentinel(d), ""))
					}
				}
			}
		}
		ordered = append(ordered, append(puts, outs...))
	}
	rc := mutate.Extract(imagetest.Image(t, ordered...))
	defer rc.Close()
	tr := tar.NewReader(rc)
	fs := map[string]xnode{}
	var dirs []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		p := path.Join("/", h.Name)
		if b := path.Base(p); strings.HasPrefix(b, implied) {
			dirs = append(dirs, path.Join(path.Dir(p), b[len(implied):]))
			continue
		}
		if _, ok := fs[p]; ok {
			t.Fatalf("Extract wrote %s twice", p)
		}
		fs[p] = xnode{dir: h.Typeflag == tar.TypeDir, regular: h.Typeflag == tar.TypeReg, body: string(body),
			size: h.Size, link: h.Linkname, mode: h.Mode, uid: h.Uid, gid: h.Gid}
	}
	for _, d := range dirs {
		if _, ok := fs[d]; !ok {
			fs[d] = xnode{dir: true}
		}
	}
	return fs
}

// extractedChanges lists, by path, how b differs from a: "A", "D", or
// "C" with what differs (a directory against anything else is a change
// of type only; a directory's own size and content are not compared),
// and each side's size ("KIND PATH [WHAT] [SIZE_A SIZE_B]").
func extractedChanges(a, b map[string]xnode) []string {
	var out []string
	paths := slices.Sorted(maps.Keys(a))
	for p := range b {
		if _, ok := a[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		x, inA := a[p]
		y, inB := b[p]
		var kind string
		var what []string
		switch {
		case !inB:
			kind = "D"
		case !inA:
			kind = "A"
		case x.dir != y.dir:
			kind, what = "C", []string{"type"}
		default:
			if !x.dir && (x.regular != y.regular || x.body != y.body) {
				what = append(what, "content")
			}
			if !x.dir && x.size != y.size {
				what = append(what, "size")
			}
			if !x.dir && x.link != y.link {
				what = append(what, "link")
			}
			if x.mode != y.mode {
				what = append(what, "mode")
			}
			if x.uid != y.uid || x.gid != y.gid {
				what = append(what, "owner")
			}
			if len(what) == 0 {
				continue
			}
			kind = "C"
			slices.Sort(what)
		}
		out = append(out, fmt.Sprintf("%s %s %v %v", kind, p, what, [2]int64{x.size, y.size}))
	}
	return out
}

// extractedDirs sums changes (extractedChanges' lines) under each
// top-level directory, sorted: "DIR +ADDED -REMOVED ~CHANGED DELTA".
func extractedDirs(changes []string) []string {
	type sum struct{ a, d, c, delta int64 }
	sums := map[string]*sum{}
	for _, l := range changes {
		var kind, p, rest string
		var sa, sb int64
		kind, l, _ = strings.Cut(l, " ")
		p, rest, _ = strings.Cut(l, " ")
		if _, err := fmt.Sscanf(rest[strings.LastIndexByte(rest, '['):], "[%d %d]", &sa, &sb); err != nil {
			panic(err)
		}
		top := "/" + strings.Split(p, "/")[1]
		s := sums[top]
		if s == nil {
			s = &sum{}
			sums[top] = s
		}
		switch kind {
		case "A":
			s.a++
		case "D":
			s.d++
		default:
			s.c++
		}
		s.delta += sb - sa
	}
	var out []string
	for top, s := range sums {
		out = append(out, fmt.Sprintf("%s +%d -%d ~%d %d", top, s.a, s.d, s.c, s.delta))
	}
	slices.Sort(out)
	return out
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
	tr := newTree(newPathTable(), nil)
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
		if err := tr.apply(idx, int16(i)); err != nil {
			t.Fatal(err)
		}
	}
	fs := compare.FileSet{}
	for id, e := range tr.own {
		p := tr.paths.nodes[id].path
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
