package layers

import (
	"context"
	"fmt"
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
