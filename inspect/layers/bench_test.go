package layers

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// benchImage has n layers of files new files each, in directories of 100,
// every later layer rewriting a tenth of the previous layer's files and
// removing a twentieth.
func benchImage(b *testing.B, n, files int) v1.Image {
	var ls [][]imagetest.File
	for l := 0; l < n; l++ {
		var es []imagetest.File
		for i := 0; i < files; i++ {
			es = append(es, imagetest.Sized(fmt.Sprintf("data/l%d/d%03d/f%05d", l, i/100, i), 64))
		}
		if l > 0 {
			for i := 0; i < files/10; i++ {
				es = append(es, imagetest.Sized(fmt.Sprintf("data/l%d/d%03d/f%05d", l-1, i/100, i), 80))
			}
			for i := files / 10; i < files/10+files/20; i++ {
				es = append(es, imagetest.Whiteout(fmt.Sprintf("data/l%d/d%03d/f%05d", l-1, i/100, i)))
			}
		}
		ls = append(ls, es)
	}
	return imagetest.Image(b, ls...)
}

func BenchmarkAnalyze(b *testing.B) {
	img := benchImage(b, 5, 5000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Analyze(context.Background(), img, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSwitchLayer is what a UI does on moving to another layer: a
// new view, the root's and a big directory's children, the largest files.
func BenchmarkSwitchLayer(b *testing.B) {
	a := analyse(b, benchImage(b, 30, 2000))
	big, _ := a.Lookup("data/l0")
	b.ResetTimer()
	i := 0
	for b.Loop() {
		v := a.View(i%30, Aggregated)
		v.Children(RootID, BySize, nil)
		v.Children(big, ByName, nil)
		v.Largest(20)
		i++
	}
}

// BenchmarkImpliedWalked is what the TUI does with 100 names 1,000
// levels deep (100,100 implied directories): analyse, then walk, which
// splits every chain; beside it the table without chains, which made
// every directory while analysing.
func BenchmarkImpliedWalked(b *testing.B) {
	var files []imagetest.File
	for i := 0; i < 100; i++ {
		files = append(files, imagetest.Sized(fmt.Sprintf("c%d/%sf", i, strings.Repeat("a/", 1000)), 10))
	}
	img := imagetest.Image(b, files)
	for _, c := range []struct {
		name string
		min  int
	}{{"chains", minChain}, {"without chains", math.MaxInt}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				analyseWith(b, img, Options{minChain: c.min}).View(0, Aggregated).Children(RootID, ByName, nil)
			}
		})
	}
}
