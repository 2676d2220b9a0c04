package layers

import (
	"archive/tar"
	"context"
	"math"
	"reflect"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

func TestCountsSizesAndTotals(t *testing.T) {
	img := image(t,
		[]te{dir("etc/"), file("etc/a", 100), file("etc/b", 50), file("bin/sh", 1000)},
		[]te{dir("etc/"), file("etc/a", 120), whiteout("etc/.wh.b"), file("etc/c", 7)},
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
	a := analyse(t, image(t,
		[]te{file("app/big", 100)},
		[]te{file("app/big", 100)},
		[]te{file("app/big", 100)},
		[]te{file("tmp/x", 30)},
		[]te{whiteout("tmp/.wh.x")},
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
	a := analyse(t, image(t,
		[]te{dir("var/"), dir("var/cache/"), file("var/cache/a", 10), file("var/cache/sub/b", 20), file("var/keep", 1)},
		[]te{whiteout("var/.wh.cache")},
		[]te{file("var/cache/new", 5)},
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
	a := analyse(t, image(t,
		[]te{dir("app/"), file("app/old", 10), dir("app/lib/"), file("app/lib/x", 20), file("other", 1)},
		// the opaque marker after a same-layer file: it must not hide that file
		[]te{dir("app/"), file("app/fresh", 3), file("app/.wh..wh..opq", 0)},
		[]te{file("unrelated", 2)},
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
	a := analyse(t, image(t,
		[]te{file("a", 10), file("b", 10)},
		[]te{file("a", 4), whiteout(".wh.a"), whiteout(".wh.b"), file("b", 6)},
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
	a := analyse(t, image(t,
		[]te{file("usr/bin/tool", 500), hardlink("usr/bin/alias", "usr/bin/tool")},
		[]te{whiteout("usr/bin/.wh.tool")},
		[]te{file("data", 100), hardlink("data2", "/data")},
		[]te{whiteout(".wh.data"), whiteout(".wh.data2")},
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
	a := analyse(t, image(t,
		[]te{textFile("etc/passwd", "root:x:0:0\n"), symlink("bin/abs", "/etc/passwd"),
			symlink("bin/escape", "../../../../../etc/passwd"), symlink("bin/loop", "loop"),
			symlink("lib", "usr/lib"), file("usr/lib/libc.so", 9), symlink("bin/dangling", "/nowhere")},
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
	a := analyse(t, image(t,
		[]te{device("dev/null", tar.TypeChar, 1), device("dev/sda", tar.TypeBlock, 8), device("run/fifo", tar.TypeFifo, 0),
			file("data/caf\xe9", 1), file("data/caf\xe8", 2), file("data/café", 3)},
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
	img := imageOf(t,
		mutate.Addendum{Layer: layer(t, tarBytes(t, file("a", 1))), History: v1.History{CreatedBy: "ADD a"}},
		mutate.Addendum{History: v1.History{CreatedBy: "ENV X=1", EmptyLayer: true}},
		mutate.Addendum{Layer: layer(t, tarBytes(t)), History: v1.History{CreatedBy: "RUN true"}},
		mutate.Addendum{Layer: layer(t, nil), History: v1.History{CreatedBy: "RUN nothing"}},
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
	a := analyse(t, image(t,
		[]te{file("x/inner", 10), file("y", 5)},
		[]te{file("x", 3), file("y/inner", 2)}, // directory → file, file → directory
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
	img := image(t, []te{file("a", 1)}, []te{file("b", 2)}, []te{file("c", 3)}, []te{file("d", 4)})
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
	img := image(t, []te{file("a", 1)}, []te{file("b", 2)})
	infos, err := Describe(img)
	if err != nil || len(infos) != 2 || infos[1].CreatedBy != "step B" || infos[1].Digest.Hex == "" {
		t.Fatalf("Describe: %+v %v", infos, err)
	}
}
