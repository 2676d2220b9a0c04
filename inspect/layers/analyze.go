// Package layers analyses an image's layers: what every layer added,
// changed and removed, the file tree as of each layer, and how much of the
// image is wasted on bytes the final filesystem never shows.
//
// Every layer's tar is streamed once through inspect/layertar (never
// extracted), several layers at a time, and applied in order to one path
// table; whiteouts and opaque directories apply as the OCI image spec says. A UI shows Describe's layer list at once,
// receives each layer's result from Options.OnLayer as it is applied, and
// browses the trees through Analysis.View once Analyze returns.
package layers

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Options configure Analyze.
type Options struct {
	// OnLayer, when set, is called with each layer in layer order as soon
	// as it is applied. Its counts and sizes are complete and never change
	// again, and may be read from any goroutine; its Entries may still
	// gain the directories of a chain (see Layer.Entries).
	OnLayer func(*Layer)
	// Parallel is how many layers are read at once; 0 means GOMAXPROCS.
	Parallel int
	// maxPaths bounds the paths the image names (0: layertar.MaxPaths;
	// tests take a smaller one)
	maxPaths int
	// minChain, when not 0, is the fewest new directories held as a
	// chain (tests compare with chains off: math.MaxInt)
	minChain int
}

// Analysis is the result of Analyze.
type Analysis struct {
	// Layers are the image's layers, bottom first.
	Layers []*Layer
	// SizeBytes is the content bytes of all layers (uncompressed), as
	// `docker image ls` counts them: regular files and symlinks' targets.
	SizeBytes int64
	// CompressedBytes is the size of the layer blobs as stored.
	CompressedBytes int64
	// UserSizeBytes is SizeBytes without the first (base) layer.
	UserSizeBytes int64
	// WastedBytes is the bytes stored by some layer that the final image
	// does not show: every overwritten or removed copy, counted once.
	WastedBytes int64
	// Efficiency is 1 - WastedBytes/SizeBytes (1 for an empty image).
	Efficiency float64
	// WastedUserPercent is WastedBytes/UserSizeBytes as a ratio (0 when
	// there is no user layer), as dive's highestUserWastedPercent rule uses.
	WastedUserPercent float64
	// Inefficiencies are the paths with wasted copies, most wasted first.
	Inefficiencies []Inefficiency

	t      *table
	expand sync.Once // splits the table's chains for the first walk of the tree
}

// walked is the table, every chain of implied directories split: what
// the views and lookups walk.
func (a *Analysis) walked() *table {
	a.expand.Do(a.t.expandAll)
	return a.t
}

// Analyze reads every layer of img once and analyses it.
func Analyze(ctx context.Context, img v1.Image, o Options) (*Analysis, error) {
	infos, err := Describe(img)
	if err != nil {
		return nil, err
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := readAll(ctx, ls, o.Parallel)
	t := newTable()
	if o.maxPaths > 0 {
		t.maxPaths = o.maxPaths
	}
	if o.minChain > 0 {
		t.minChain = o.minChain
	}
	a := &Analysis{t: t}
	for i, info := range infos {
		r := <-results[i].c
		if r.err != nil {
			return nil, fmt.Errorf("reading layer %d (%s): %w", i, info.Digest, r.err)
		}
		results[i].release()
		l := &Layer{LayerInfo: info, TarBytes: r.raw.tarBytes, Entries: make([]Entry, 0, len(r.raw.entries))}
		if info.Uncompressed {
			l.CompressedBytes = 0 // a plain tar (the engine's): its compressed size is not known
		}
		t.layers, t.cur = append(t.layers, l), int32(i)
		if err := t.apply(r.raw); err != nil {
			return nil, fmt.Errorf("reading layer %d (%s): %w", i, info.Digest, err)
		}
		a.Layers = append(a.Layers, l)
		a.SizeBytes += l.SizeBytes
		a.CompressedBytes += l.CompressedBytes
		if i > 0 {
			a.UserSizeBytes += l.SizeBytes
		}
		if o.OnLayer != nil {
			o.OnLayer(l)
		}
	}
	t.finish()
	a.summarise()
	t.wasted, t.contents = nil, nil // counted: no walk reads them
	return a, nil
}

// layerResult is one layer's tar, read, or the error reading it.
type layerResult struct {
	raw *rawLayer
	err error
}

// pending is one layer being read; release frees its slot once the
// consumer has applied it.
type pending struct {
	c       chan layerResult
	release func()
}

// readAll reads layers in the background, in layer order, with at most
// parallel layers read or waiting to be applied at once (so memory holds
// at most that many layers' entries), and delivers each on its own
// channel so results are consumed in layer order.
func readAll(ctx context.Context, ls []v1.Layer, parallel int) []pending {
	if parallel <= 0 {
		parallel = runtime.GOMAXPROCS(0)
	}
	tokens := make(chan struct{}, parallel)
	out := make([]pending, len(ls))
	for i := range out {
		out[i] = pending{c: make(chan layerResult, 1), release: func() { <-tokens }}
	}
	go func() {
		for i, l := range ls {
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				out[i].c <- layerResult{err: ctx.Err()}
				continue
			}
			go func() {
				raw, err := readLayer(ctx, l)
				out[i].c <- layerResult{raw: raw, err: err}
			}()
		}
	}()
	return out
}

// summarise computes the totals, efficiency and inefficiencies.
func (a *Analysis) summarise() {
	t := a.t
	for id, w := range t.wasted {
		a.WastedBytes += w
		if w > 0 {
			a.Inefficiencies = append(a.Inefficiencies, Inefficiency{
				Path: t.nodes[id].path, Count: len(t.nodes[id].hist), WastedBytes: w})
		}
	}
	sort.Slice(a.Inefficiencies, func(i, j int) bool {
		x, y := a.Inefficiencies[i], a.Inefficiencies[j]
		if x.WastedBytes != y.WastedBytes {
			return x.WastedBytes > y.WastedBytes
		}
		return x.Path < y.Path
	})
	a.Efficiency = 1
	if t.total > 0 {
		a.Efficiency = 1 - float64(a.WastedBytes)/float64(t.total)
	}
	if a.UserSizeBytes > 0 {
		a.WastedUserPercent = float64(a.WastedBytes) / float64(a.UserSizeBytes)
	}
}
