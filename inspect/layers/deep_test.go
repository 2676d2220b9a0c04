package layers

import (
	"runtime"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// A file name thousands of directories deep (the report: 200k levels
// took over a minute, 1 MB of such headers 471 MB) is analysed in memory
// linear in its header bytes: twice as deep, about twice the bytes.
func TestDeepPathsAnalysedInLinearMemory(t *testing.T) {
	analysed := func(depth int) uint64 {
		img := imagetest.Image(t,
			[]imagetest.File{imagetest.Text(strings.Repeat("a/", depth)+"f", "x")},
			[]imagetest.File{imagetest.Whiteout(strings.Repeat("a/", depth) + "f")})
		var a, b runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&a)
		an := analyse(t, img)
		runtime.ReadMemStats(&b)
		if an.Layers[0].Added != depth+1 {
			t.Fatalf("depth %d: %d added", depth, an.Layers[0].Added)
		}
		return b.TotalAlloc - a.TotalAlloc
	}
	small, big := analysed(1000), analysed(2000)
	if big > small*5/2 {
		t.Errorf("depth 1000: %d bytes allocated, depth 2000: %d (%.1f times): not linear", small, big, float64(big)/float64(small))
	}
}
