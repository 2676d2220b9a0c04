package layers

import (
	"context"
	"fmt"
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

// Deep shapes are analysed in work linear in their entries: the path
// elements and ancestors the table visits (its steps) at twice the depth
// are about twice as many. Adding each change to every ancestor at once,
// and hashing every prefix of a path, made a path 50,000 levels deep take
// 12 s and 200 files 5,000 levels deep 50 s.
func TestDeepShapesAnalysedInLinearWork(t *testing.T) {
	chain := func(prefix string, depth int, dirs bool) []imagetest.File {
		var fs []imagetest.File
		p := prefix
		for i := 0; i < depth; i++ {
			p += "a/"
			if dirs {
				fs = append(fs, imagetest.Dir(p))
			}
		}
		return append(fs, imagetest.Sized(p+"f", 10))
	}
	for _, c := range []struct {
		name  string
		image func(depth int) [][]imagetest.File
	}{
		{"deep: one file, its directories implied", func(d int) [][]imagetest.File {
			return [][]imagetest.File{chain("", d, false)}
		}},
		{"deep: one file under every directory written", func(d int) [][]imagetest.File {
			return [][]imagetest.File{chain("", d, true)}
		}},
		{"deep: 20 files in 20 chains", func(d int) [][]imagetest.File {
			var fs []imagetest.File
			for i := 0; i < 20; i++ {
				fs = append(fs, chain(fmt.Sprintf("c%d/", i), d, false)...)
			}
			return [][]imagetest.File{fs}
		}},
		{"deep: a file at the bottom rewritten in 5 layers", func(d int) [][]imagetest.File {
			var ls [][]imagetest.File
			for i := 0; i < 5; i++ {
				ls = append(ls, chain("", d, false))
			}
			return ls
		}},
		{"deep: the chain whited out from the top", func(d int) [][]imagetest.File {
			return [][]imagetest.File{chain("", d, false), {imagetest.Whiteout("a")}}
		}},
		{"deep: the chain made opaque halfway down", func(d int) [][]imagetest.File {
			return [][]imagetest.File{chain("", d, false), {imagetest.Opaque(strings.Repeat("a/", d/2)), imagetest.Sized(strings.Repeat("a/", d/2)+"g", 5)}}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			steps := func(depth int) int {
				a := analyse(t, imagetest.Image(t, c.image(depth)...))
				return a.t.steps
			}
			small, big := steps(500), steps(1000)
			if float64(big) > 2.5*float64(small) {
				t.Errorf("depth 500: %d steps, depth 1000: %d (%.1f times): not linear", small, big, float64(big)/float64(small))
			}
		})
	}
}

// An image naming more paths than layertar.MaxPaths, implied directories
// included (a small layer of names PATH_MAX long implies 2,047
// directories each), is refused in one line; under it, it is analysed.
func TestPathsBound(t *testing.T) {
	small := Options{maxPaths: 3000}
	img := func(files int) []imagetest.File {
		var fs []imagetest.File
		for i := 0; i < files; i++ {
			fs = append(fs, imagetest.Text(fmt.Sprintf("c%d/", i)+strings.Repeat("a/", 998)+"f", "x"))
		}
		return fs
	}
	// each file names 1,000 paths; with the root, 3 files are 3,001
	if _, err := Analyze(context.Background(), imagetest.Image(t, img(2), img(1)[:0]), small); err != nil {
		t.Fatalf("2,001 paths: %v", err)
	}
	_, err := Analyze(context.Background(), imagetest.Image(t, img(2), img(3)[2:]), small)
	want := "the image names over 3000 paths, with the directories its names imply: over the bound (MaxPaths): refused"
	if err == nil || !strings.HasSuffix(err.Error(), want) || !strings.HasPrefix(err.Error(), "reading layer 1 (sha256:") {
		t.Errorf("3,001 paths: %v, want …%s", err, want)
	}
}

// Whiteout storms: a layer repeating the opaque marker of a wide
// directory hides its children once, not once per marker (n markers on n
// children cost n² visits), and many whiteouts cost one lookup each.
func TestWhiteoutStormsAnalysedInLinearWork(t *testing.T) {
	for _, c := range []struct {
		name  string
		image func(n int) [][]imagetest.File
	}{
		{"storm: the opaque marker of a wide directory, repeated", func(n int) [][]imagetest.File {
			var wide, storm []imagetest.File
			for i := 0; i < n; i++ {
				wide = append(wide, imagetest.Text(fmt.Sprintf("w/f%d", i), "x"))
				storm = append(storm, imagetest.Opaque("w"))
			}
			return [][]imagetest.File{wide, storm}
		}},
		{"storm: whiteouts of every file of a wide directory, and of as many missing", func(n int) [][]imagetest.File {
			var wide, storm []imagetest.File
			for i := 0; i < n; i++ {
				wide = append(wide, imagetest.Text(fmt.Sprintf("w/f%d", i), "x"))
				storm = append(storm, imagetest.Whiteout(fmt.Sprintf("w/f%d", i)), imagetest.Whiteout(fmt.Sprintf("w/g%d", i)))
			}
			return [][]imagetest.File{wide, storm}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			steps := func(n int) int { return analyse(t, imagetest.Image(t, c.image(n)...)).t.steps }
			small, big := steps(1000), steps(2000)
			if float64(big) > 2.5*float64(small) {
				t.Errorf("1,000: %d steps, 2,000: %d (%.1f times): not linear", small, big, float64(big)/float64(small))
			}
		})
	}
}

// Directories only implied by the names of a layer's files (100 files
// each 1,000 levels deep: 100,100 directories, 100 tar members) are made
// as entries, each one a node, a directory and an entry of the table:
// those slices grew by a quarter at a time, and the copies were half of
// the analysis's CPU and 500 MB of allocation for 400,000 directories
// (bench/deepimage); here 1,290 bytes of allocation for each implied
// directory. Grown by doubling, 762: at most 900. Counting them needs
// none of this since they are held as chains (TestCountsLeaveChainsWhole);
// this is what walking the tree (the TUI) makes of them.
func TestImpliedDirectoriesAllocateLittle(t *testing.T) {
	var files []imagetest.File
	for i := 0; i < 100; i++ {
		files = append(files, imagetest.Sized(fmt.Sprintf("c%d/%sf", i, strings.Repeat("a/", 1000)), 10))
	}
	img := imagetest.Image(t, files)
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	an := analyse(t, img)
	an.View(0, Aggregated) // what the TUI does: every directory made
	runtime.ReadMemStats(&b)
	dirs := an.Layers[0].Added - 100
	if dirs != 100*1001 {
		t.Fatalf("%d directories added, want %d", dirs, 100*1001)
	}
	t.Logf("%d bytes allocated per implied directory", (b.TotalAlloc-a.TotalAlloc)/uint64(dirs))
	if per := (b.TotalAlloc - a.TotalAlloc) / uint64(dirs); per > 900 {
		t.Errorf("%d bytes allocated per implied directory, want at most 900", per)
	}
}
