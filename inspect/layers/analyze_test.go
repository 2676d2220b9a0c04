package layers

import (
	"archive/tar"
	"context"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func TestCountsSizesAndTotals(t *testing.T) {
	img := imagetest.Image(t,
		[]imagetest.File{imagetest.Dir("etc/"), imagetest.Sized("etc/a", 100), imagetest.Sized("etc/b", 50), imagetest.Sized("bin/sh", 1000)},
		[]imagetest.File{imagetest.Dir("etc/"), imagetest.Sized("etc/a", 120), imagetest.Whiteout("etc/b"), imagetest.Sized("etc/c", 7)},
	)
	a := analyse(t, img)
	if len(a.Layers) != 2 {
		t.Fatalf("layers: %d", len(a.Layers))
	}
	l0, l1 := a.Layers[0], a.Layers[1]
	// layer 0: etc/, etc/a, etc/b, bin/ (implied), bin/sh
	if l0.Added != 5 || l0.Modified != 0 || l0.Removed != 0 || l0.SizeBytes != 1150 {
		t.Errorf("layer 0: +%d ~%d -%d %dB", l0.Added, l0.Modified, l0.Removed, l0.SizeBytes)
	}
	if l1.Added != 1 || l1.Modified != 1 || l1.Removed != 1 || l1.SizeBytes != 127 {
		t.Errorf("layer 1: +%d ~%d -%d %dB", l1.Added, l1.Modified, l1.Removed, l1.SizeBytes)
	}
	if l1.CreatedBy != "step B" || l0.Index != 0 || l1.Index != 1 {
		t.Errorf("layer info: %+v", l1.LayerInfo)
	}
	if a.SizeBytes != 1277 || a.UserSizeBytes != 127 {
		t.Errorf("size %d user %d", a.SizeBytes, a.UserSizeBytes)
	}
	if a.CompressedBytes <= 0 {
		t.Errorf("compressed bytes %d", a.CompressedBytes)
	}
	// etc/a's first copy (100) and etc/b (50) are not in the final image.
	if a.WastedBytes != 150 {
		t.Errorf("wasted %d, want 150", a.WastedBytes)
	}
	want := []Inefficiency{{Path: "etc/a", Count: 2, WastedBytes: 100}, {Path: "etc/b", Count: 2, WastedBytes: 50}}
	if !reflect.DeepEqual(a.Inefficiencies, want) {
		t.Errorf("inefficiencies %+v", a.Inefficiencies)
	}
	if got, want := a.Efficiency, 1127.0/1277; math.Abs(got-want) > 1e-12 {
		t.Errorf("efficiency %v, want %v", got, want)
	}
	v := a.View(1, Aggregated)
	if got := nodeAt(t, v, "/etc").Size; got != 127 {
		t.Errorf("etc size at layer 1: %d", got)
	}
	if got := nodeAt(t, a.View(0, Aggregated), "/etc").Size; got != 150 {
		t.Errorf("etc size at layer 0: %d", got)
	}
	if got := nodeAt(t, v, "/").Size; got != 1127 {
		t.Errorf("root size at layer 1: %d", got)
	}
}

// dive counts every copy of a path, the visible one too, as wasted
// (wagoodman/dive#684): three copies of 100 bytes waste 200, not 300.
func TestWastedCountsEachRedundantCopyOnce(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Sized("app/big", 100)},
		[]imagetest.File{imagetest.Sized("app/big", 100)},
		[]imagetest.File{imagetest.Sized("app/big", 100)},
		[]imagetest.File{imagetest.Sized("tmp/x", 30)},
		[]imagetest.File{imagetest.Whiteout("tmp/x")},
	))
	if a.WastedBytes != 230 {
		t.Fatalf("wasted %d, want 230 (200 for two dead copies of app/big, 30 for tmp/x)", a.WastedBytes)
	}
	want := []Inefficiency{{Path: "app/big", Count: 3, WastedBytes: 200}, {Path: "tmp/x", Count: 2, WastedBytes: 30}}
	if !reflect.DeepEqual(a.Inefficiencies, want) {
		t.Errorf("inefficiencies %+v", a.Inefficiencies)
	}
	if math.Abs(a.Efficiency-100.0/330) > 1e-12 {
		t.Errorf("efficiency %v", a.Efficiency)
	}
	if a.WastedUserPercent != 230.0/230 {
		t.Errorf("user wasted %v", a.WastedUserPercent)
	}
}

func TestWhiteoutRemovesDirectoryAndEverythingBelow(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Dir("var/"), imagetest.Dir("var/cache/"), imagetest.Sized("var/cache/a", 10), imagetest.Sized("var/cache/sub/b", 20), imagetest.Sized("var/keep", 1)},
		[]imagetest.File{imagetest.Whiteout("var/cache")},
		[]imagetest.File{imagetest.Sized("var/cache/new", 5)},
	))
	l1 := a.Layers[1]
	if l1.Removed != 4 { // cache/, cache/a, cache/sub/, cache/sub/b
		t.Errorf("layer 1 removed %d, want 4", l1.Removed)
	}
	if got, want := paths(a.View(1, Aggregated)), []string{
		"var/ modified", "var/cache/ removed", "var/cache/a removed", "var/cache/sub/ removed",
		"var/cache/sub/b removed", "var/keep"}; !reflect.DeepEqual(got, want) {
		t.Errorf("layer 1 tree:\n%q\nwant\n%q", got, want)
	}
	if got := nodeAt(t, a.View(1, Aggregated), "var/cache").Size; got != 30 {
		t.Errorf("removed dir shows %d bytes, want the 30 it held", got)
	}
	// Recreating the directory must not bring back what was removed.
	if got, want := paths(a.View(2, Aggregated)), []string{
		"var/ modified", "var/cache/ added", "var/cache/new added", "var/keep"}; !reflect.DeepEqual(got, want) {
		t.Errorf("layer 2 tree:\n%q\nwant\n%q", got, want)
	}
	if a.WastedBytes != 30 {
		t.Errorf("wasted %d", a.WastedBytes)
	}
}

// An opaque directory hides everything lower layers put in it; dive still
// shows those files.
func TestOpaqueDirectoryHidesLowerLayers(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Dir("app/"), imagetest.Sized("app/old", 10), imagetest.Dir("app/lib/"), imagetest.Sized("app/lib/x", 20), imagetest.Sized("other", 1)},
		// the opaque marker after a same-layer file: it must not hide that file
		[]imagetest.File{imagetest.Dir("app/"), imagetest.Sized("app/fresh", 3), imagetest.Opaque("app")},
		[]imagetest.File{imagetest.Sized("unrelated", 2)},
	))
	want := []string{"app/", "app/fresh", "other", "unrelated added"}
	if got := paths(a.View(2, Aggregated)); !reflect.DeepEqual(got, want) {
		t.Errorf("layer 2 tree:\n%q\nwant\n%q", got, want)
	}
	if _, ok := a.Lookup("app/old"); !ok {
		t.Fatal("app/old has no node")
	}
	if got := paths(a.View(1, LayerOnly)); !reflect.DeepEqual(got, []string{
		"app/ modified", "app/fresh added", "app/lib/ removed", "app/lib/x removed", "app/old removed"}) {
		t.Errorf("layer 1 changes: %q", got)
	}
	if a.WastedBytes != 30 {
		t.Errorf("wasted %d, want 30", a.WastedBytes)
	}
}

// The spec: whiteouts apply to lower layers only; a file the same layer
// writes is not hidden by its whiteout, whatever the order.
func TestWhiteoutAppliesToLowerLayersOnly(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Sized("a", 10), imagetest.Sized("b", 10)},
		[]imagetest.File{imagetest.Sized("a", 4), imagetest.Whiteout("a"), imagetest.Whiteout("b"), imagetest.Sized("b", 6)},
	))
	got := paths(a.View(1, Aggregated))
	if want := []string{"a modified", "b modified"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tree %q, want %q", got, want)
	}
	if n := nodeAt(t, a.View(1, Aggregated), "b"); n.Size != 6 {
		t.Errorf("b: %+v", n)
	}
	if a.WastedBytes != 20 {
		t.Errorf("wasted %d", a.WastedBytes)
	}
}

func TestHardLinksShareBytes(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Sized("usr/bin/tool", 500), imagetest.Hardlink("usr/bin/alias", "usr/bin/tool")},
		[]imagetest.File{imagetest.Whiteout("usr/bin/tool")},
		[]imagetest.File{imagetest.Sized("data", 100), imagetest.Hardlink("data2", "/data")},
		[]imagetest.File{imagetest.Whiteout("data"), imagetest.Whiteout("data2")},
	))
	// The tool's bytes are still visible through the link: not wasted.
	// data's bytes were visible through two names, both removed: 100 wasted once.
	if a.WastedBytes != 100 {
		t.Errorf("wasted %d, want 100", a.WastedBytes)
	}
	if a.Layers[0].SizeBytes != 500 || a.SizeBytes != 600 {
		t.Errorf("sizes: layer 0 %d, image %d", a.Layers[0].SizeBytes, a.SizeBytes)
	}
	n := nodeAt(t, a.View(1, Aggregated), "usr/bin/alias")
	if n.Type != TypeHardlink || n.Link != "usr/bin/tool" || n.Size != 0 {
		t.Errorf("alias: %+v", n)
	}
}

func TestSymlinksResolveInsideTheImage(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Text("etc/passwd", "root:x:0:0\n"), imagetest.Symlink("bin/abs", "/etc/passwd"),
			imagetest.Symlink("bin/escape", "../../../../../etc/passwd"), imagetest.Symlink("bin/loop", "loop"),
			imagetest.Symlink("lib", "usr/lib"), imagetest.Sized("usr/lib/libc.so", 9), imagetest.Symlink("bin/dangling", "/nowhere")},
	))
	v := a.View(0, Aggregated)
	if n := nodeAt(t, v, "bin/abs"); n.Type != TypeSymlink || n.Link != "/etc/passwd" {
		t.Errorf("bin/abs: %+v", n)
	}
	for _, p := range []string{"bin/abs", "bin/escape", "/bin/escape"} {
		if _, got, err := v.Resolve(p); err != nil || got != "etc/passwd" {
			t.Errorf("Resolve(%s) = %q, %v", p, got, err)
		}
	}
	if _, got, err := v.Resolve("lib/libc.so"); err != nil || got != "usr/lib/libc.so" {
		t.Errorf("Resolve(lib/libc.so) = %q, %v", got, err)
	}
	if _, _, err := v.Resolve("bin/loop"); err == nil {
		t.Error("a symlink loop resolved")
	}
	if _, _, err := v.Resolve("bin/dangling"); err == nil {
		t.Error("a dangling symlink resolved")
	}
}

func TestDevicesAndNonUTF8Names(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Device("dev/null", tar.TypeChar, 1, 0), imagetest.Device("dev/sda", tar.TypeBlock, 8, 0), imagetest.Device("run/fifo", tar.TypeFifo, 0, 0),
			imagetest.Sized("data/caf\xe9", 1), imagetest.Sized("data/caf\xe8", 2), imagetest.Sized("data/café", 3)},
	))
	v := a.View(0, Aggregated)
	if n := nodeAt(t, v, "dev/null"); n.Type != TypeCharDevice || n.Size != 0 {
		t.Errorf("dev/null: %+v", n)
	}
	if n := nodeAt(t, v, "dev/sda"); n.Type != TypeBlockDevice {
		t.Errorf("dev/sda: %+v", n)
	}
	if e := a.Layers[0].Entries[1]; e.DevMajor != 1 || e.Type != TypeCharDevice {
		t.Errorf("dev/null entry: %+v", e)
	}
	if n := nodeAt(t, v, "run/fifo"); n.Type != TypeFIFO {
		t.Errorf("run/fifo: %+v", n)
	}
	var names []string
	for _, n := range v.Children(must(a.Lookup("data")), ByName, nil) {
		names = append(names, DisplayPath(n.Path))
	}
	if want := []string{`/data/café`, `/data/caf\xe8`, `/data/caf\xe9`}; !reflect.DeepEqual(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
}

func must(id NodeID, ok bool) NodeID {
	if !ok {
		panic("no such path")
	}
	return id
}

func TestEmptyLayersAndHistory(t *testing.T) {
	img := imagetest.ImageOf(t,
		mutate.Addendum{Layer: imagetest.LayerOf(t, imagetest.Tar(t, imagetest.Sized("a", 1))), History: v1.History{CreatedBy: "ADD a"}},
		mutate.Addendum{History: v1.History{CreatedBy: "ENV X=1", EmptyLayer: true}},
		mutate.Addendum{Layer: imagetest.LayerOf(t, imagetest.Tar(t)), History: v1.History{CreatedBy: "RUN true"}},
		mutate.Addendum{Layer: imagetest.LayerOf(t, nil), History: v1.History{CreatedBy: "RUN nothing"}},
	)
	a := analyse(t, img)
	if len(a.Layers) != 3 {
		t.Fatalf("layers %d", len(a.Layers))
	}
	for i, want := range []string{"ADD a", "RUN true", "RUN nothing"} {
		if a.Layers[i].CreatedBy != want {
			t.Errorf("layer %d created by %q, want %q", i, a.Layers[i].CreatedBy, want)
		}
	}
	if l := a.Layers[1]; l.Added+l.Modified+l.Removed != 0 || len(l.Entries) != 0 {
		t.Errorf("empty layer: %+v", l)
	}
	if got := paths(a.View(2, Aggregated)); !reflect.DeepEqual(got, []string{"a"}) {
		t.Errorf("tree %q", got)
	}
	if a.Efficiency != 1 || a.WastedBytes != 0 {
		t.Errorf("efficiency %v wasted %d", a.Efficiency, a.WastedBytes)
	}
}

func TestTypeChanges(t *testing.T) {
	a := analyse(t, imagetest.Image(t,
		[]imagetest.File{imagetest.Sized("x/inner", 10), imagetest.Sized("y", 5)},
		[]imagetest.File{imagetest.Sized("x", 3), imagetest.Sized("y/inner", 2)}, // directory → file, file → directory
	))
	if got, want := paths(a.View(1, Aggregated)), []string{
		"x modified", "x/inner removed", "y/ modified", "y/inner added"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tree %q, want %q", got, want)
	}
	if a.WastedBytes != 15 || nodeAt(t, a.View(1, Aggregated), "/").Size != 5 {
		t.Errorf("wasted %d, root %d", a.WastedBytes, nodeAt(t, a.View(1, Aggregated), "/").Size)
	}
}

func TestOnLayerStreamsInOrder(t *testing.T) {
	img := imagetest.Image(t, []imagetest.File{imagetest.Sized("a", 1)}, []imagetest.File{imagetest.Sized("b", 2)}, []imagetest.File{imagetest.Sized("c", 3)}, []imagetest.File{imagetest.Sized("d", 4)})
	var got []int
	a, err := Analyze(context.Background(), img, Options{Parallel: 3, OnLayer: func(l *Layer) {
		got = append(got, l.Index)
		if l.Added != 1 || len(l.Entries) != 1 {
			t.Errorf("layer %d arrived incomplete: %+v", l.Index, l)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []int{0, 1, 2, 3}) || len(a.Layers) != 4 {
		t.Errorf("OnLayer order %v", got)
	}
}

func TestDescribeReadsNoLayer(t *testing.T) {
	img := imagetest.Image(t, []imagetest.File{imagetest.Sized("a", 1)}, []imagetest.File{imagetest.Sized("b", 2)})
	infos, err := Describe(img)
	if err != nil || len(infos) != 2 || infos[1].CreatedBy != "step B" || infos[1].Digest.Hex == "" {
		t.Fatalf("Describe: %+v %v", infos, err)
	}
}

// countingFile counts the bytes read from a file (seeks are free, as
// archive/tar skips members by seeking).
type countingFile struct {
	*os.File
	n *int64
}

func (c countingFile) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	*c.n += int64(n)
	return n, err
}

// A docker-archive saved with compressed layers names no layer's diff ID
// but its config: Describe must take them from there, not inflate and
// hash every layer before the analysis reads it again.
func TestDescribeOfADockerArchiveReadsEachBlobOnce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noise := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	img := imagetest.Image(t, []imagetest.File{imagetest.Text("a", noise(256<<10))}, []imagetest.File{imagetest.Text("b", noise(256<<10))})
	p := imagetest.WriteDockerSave(t, t.TempDir(), img, "example.test/img:1")
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	var read int64
	saved, err := tarball.Image(func() (io.ReadCloser, error) {
		f, err := os.Open(p)
		return countingFile{f, &read}, err
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	infos, err := Describe(saved)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigFile()
	for i, info := range infos {
		if info.DiffID != want.RootFS.DiffIDs[i] {
			t.Errorf("layer %d: diff ID %s, want %s", i, info.DiffID, want.RootFS.DiffIDs[i])
		}
	}
	// go-containerregistry hashes each compressed blob once for the
	// manifest; reading them a second time would double this.
	if read > fi.Size()*3/2 {
		t.Errorf("Describe read %d bytes of a %d-byte archive", read, fi.Size())
	}
}

// Every directory's total, in every layer's view, is the size of the
// files below it that the view shows, on random layers of files,
// directories, hard links, whiteouts and opaque markers over a few
// names. A file put over a directory its own layer had written below
// made the totals drift (the root went negative).
func TestDirectoryTotalsEqualTheirFiles(t *testing.T) {
	names := []string{"a", "b", "c", "a/x", "a/y", "a/x/p", "b/q", "c/r/s", "a/x/p/z", "b/q/w"}
	for seed := uint64(0); seed < 40; seed++ {
		rng := rand.New(rand.NewPCG(seed, 1))
		var ls [][]imagetest.File
		for l := 0; l < 4; l++ {
			var fs []imagetest.File
			for k := 0; k < 8; k++ {
				n := names[rng.IntN(len(names))]
				switch rng.IntN(6) {
				case 0:
					fs = append(fs, imagetest.Whiteout(n))
				case 1:
					fs = append(fs, imagetest.Opaque(n))
				case 2:
					fs = append(fs, imagetest.Dir(n+"/"))
				case 3:
					fs = append(fs, imagetest.Hardlink(n, names[rng.IntN(len(names))]))
				default:
					fs = append(fs, imagetest.Sized(n, 1+rng.IntN(100)))
				}
			}
			ls = append(ls, fs)
		}
		a := analyse(t, imagetest.Image(t, ls...))
		for li := range a.Layers {
			v := a.View(li, Aggregated)
			below := map[NodeID]int64{}
			for id := NodeID(len(a.t.nodes) - 1); id > RootID; id-- {
				if e, _ := v.at(id); e != nil && e.Change != Removed && e.Type == TypeRegular {
					below[id] += e.Size
				}
				if e, _ := v.at(id); e != nil && e.Change != Removed {
					below[a.t.nodes[id].parent] += below[id]
				}
			}
			if got := v.Node(RootID).Size; got != below[RootID] {
				t.Errorf("seed %d, layer %d: the root's total is %d, its files %d", seed, li, got, below[RootID])
			}
		}
	}
}
