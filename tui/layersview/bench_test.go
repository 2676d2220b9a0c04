package layersview

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// shapeB is the image (b): 30 layers of 10k files each, every
// later layer also rewriting 10% of the first layer's files.
func shapeB(b *testing.B) v1.Image {
	var ls []v1.Layer
	for l := 0; l < 30; l++ {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		body := bytes.Repeat([]byte{byte('a' + l%26)}, 256)
		write := func(name string) {
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
			tw.Write(body)
		}
		for f := 0; f < 10000; f++ {
			write(fmt.Sprintf("l%02d/d%03d/f%04d", l, f/100, f))
		}
		if l > 0 {
			for f := 0; f < 1000; f++ {
				write(fmt.Sprintf("l00/d%03d/f%04d", f/10, f*10))
			}
		}
		tw.Close()
		data := buf.Bytes()
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, layer)
	}
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		b.Fatal(err)
	}
	return img
}

// BenchmarkInspectorShapeB measures, on image (b), the inspector's first
// frame (the layer list, before any layer is read; limit 300 ms) and
// moving to the next layer once analysed (new tree and frame; limit 50 ms).
// Run: go test -run - -bench InspectorShapeB ./tui/layersview
func BenchmarkInspectorShapeB(b *testing.B) {
	img := shapeB(b)
	styles, keys := common.NewStyles(true), common.DefaultKeyMap()
	var first time.Duration
	var moves []time.Duration
	for b.Loop() {
		t0 := time.Now()
		infos, err := layers.Describe(img)
		if err != nil {
			b.Fatal(err)
		}
		m := New(common.Common{Width: 160, Height: 48, Styles: &styles, Keys: &keys}, Options{Title: "b", Infos: infos})
		_ = m.View()
		first = time.Since(t0)
		a, err := layers.Analyze(context.Background(), img, layers.Options{})
		if err != nil {
			b.Fatal(err)
		}
		m.Update(DoneMsg{Analysis: a})
		m.Update(press("tab"))
		m.Update(press("enter")) // expand the first directory
		m.Update(press("tab"))
		moves = moves[:0]
		for i := 0; i < 29; i++ {
			t := time.Now()
			m.Update(press("down"))
			_ = m.View()
			moves = append(moves, time.Since(t))
		}
	}
	sort.Slice(moves, func(i, j int) bool { return moves[i] < moves[j] })
	worst := moves[len(moves)-1]
	b.ReportMetric(float64(first.Microseconds())/1000, "first-frame-ms")
	b.ReportMetric(float64(first)/float64(300*time.Millisecond), "first/limit")
	b.ReportMetric(float64(worst.Microseconds())/1000, "worst-move-ms")
	b.ReportMetric(float64(worst)/float64(50*time.Millisecond), "move/limit")
}
