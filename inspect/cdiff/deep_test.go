package cdiff

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// allocated is the number of bytes fn allocates.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// deepLayers are an image layer with one file depth directories deep and
// a container layer that adds a file beside it and deletes it.
func deepLayers(t *testing.T, depth int) (lower, upper []byte) {
	dir := strings.Repeat("a/", depth)
	return imagetest.Tar(t, imagetest.Text(dir+"f", "x")),
		imagetest.Tar(t, imagetest.Text(dir+"g", "y"), imagetest.Whiteout(dir+"f"))
}

// Reading layers whose names are a thousand directories deep (PATH_MAX
// bounds them at 2047) costs
// memory in proportion to their header bytes: twice as deep, about twice
// the bytes (each implied directory's path shares the member's name, and
// lookups allocate nothing; it was 4 times, 13 GB at depth 8000).
func TestDeepPathsReadInLinearMemory(t *testing.T) {
	read := func(depth int) uint64 {
		lower, upper := deepLayers(t, depth)
		return allocated(func() {
			img := NewTree()
			if err := img.ApplyLayer(bytes.NewReader(lower), ReadOptions{}); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadChanges(bytes.NewReader(upper), ReadOptions{}); err != nil {
				t.Fatal(err)
			}
		})
	}
	small, big := read(1000), read(2000)
	if big > small*5/2 {
		t.Errorf("depth 1000: %d bytes allocated, depth 2000: %d (%.1f times): not linear", small, big, float64(big)/float64(small))
	}
}

// A diff must name every directory on the way down (C /a, C /a/a, …), so
// its output grows with the square of the depth; the walk allocates a
// small multiple of that output, not a multiple per lookup.
func TestDeepPathsDiffInProportionToItsOutput(t *testing.T) {
	const depth = 2000
	lower, upper := deepLayers(t, depth)
	img := NewTree()
	if err := img.ApplyLayer(bytes.NewReader(lower), ReadOptions{}); err != nil {
		t.Fatal(err)
	}
	changes, err := ReadChanges(bytes.NewReader(upper), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []Change
	n := allocated(func() {
		if out, err = DiffLayer(img, changes); err != nil {
			t.Fatal(err)
		}
	})
	var output uint64
	for _, c := range out {
		output += uint64(len(c.Path))
	}
	if len(out) != depth+2 {
		t.Fatalf("%d changes, want %d", len(out), depth+2)
	}
	if n > 8*output {
		t.Errorf("the diff allocated %d bytes for %d bytes of paths (%.1f times)", n, output, float64(n)/float64(output))
	}
}
