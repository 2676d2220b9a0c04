package compare

import (
	"archive/tar"
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// Kinds of a layer's entries besides those of fentry.
const (
	kWhiteout = kGone + 1 + iota
	kOpaque
)

// lentry is one member of a layer: a path put, whited out or made opaque.
type lentry struct {
	path string
	fentry
}

// layerIndex is what one layer holds.
type layerIndex struct {
	entries  []lentry
	tarBytes int64
	// content is what `docker image ls` counts: regular files' bytes and
	// symlinks' targets (buildscope's size_bytes everywhere)
	content int64
}

// readLayer streams a layer's tar once through the one layer reader,
// hashing every regular file's content with seed (see fentry.sum).
func readLayer(ctx context.Context, l v1.Layer, seed maphash.Seed) (*layerIndex, error) {
	rc, err := layertar.Open(l)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	idx := &layerIndex{}
	n := 0
	var h maphash.Hash
	h.SetSeed(seed)
	buf := make([]byte, 32<<10)
	idx.tarBytes, err = layertar.Read(rc, layertar.Options{}, func(e *layertar.Entry) error {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		n++
		le := lentry{path: e.Path} // the root is ""
		if e.Path != "" {
			// absolute, as changes name it: a change shares its
			// path with the tree
			le.path = "/" + e.Path
		}
		switch e.Op {
		case layertar.Whiteout:
			le.kind = kWhiteout
		case layertar.Opaque:
			le.kind = kOpaque
		default:
			hd := e.Header
			le.kind, le.mode, le.uid, le.gid, le.link = kOther, uint32(hd.Mode), uint32(hd.Uid), uint32(hd.Gid), hd.Linkname
			if e.Link != "" {
				le.link = "/" + e.Link
			}
			switch {
			case hd.Typeflag == tar.TypeDir:
				le.kind = kDir
			case hd.Typeflag == tar.TypeSymlink:
				idx.content += int64(len(hd.Linkname))
			case e.IsRegular():
				le.kind, le.size = kFile, hd.Size
				idx.content += hd.Size
				h.Reset()
				n, err := io.CopyBuffer(&h, e.Reader(), buf)
				if err != nil {
					return fmt.Errorf("reading %s: %w", le.path, err)
				}
				le.sum = h.Sum64()
				if n != hd.Size {
					// a hard link into AUFS's store arrives with its
					// content already read: known only as what this
					// layer put at this path, so it equals itself and
					// differs from any other layer's file
					le.unknown = true
				}
			}
		}
		idx.entries = append(idx.entries, le)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// job is one layer to lay over a tree: base, or one side's own.
type job struct {
	layer v1.Layer
	diff  v1.Hash
	// whose names the image the layer is of, as an error says it: "A's
	// layer 2 (of both)", "B's layer 5".
	whose string
}

// readAll reads the distinct layers of jobs, a few at once, and hands
// their indexes to apply in the jobs' order. A layer that two jobs name
// (the same DiffID) is read once. At most GOMAXPROCS layers are read or
// waiting to be applied at a time, so memory holds that many indexes,
// not the image's.
func readAll(ctx context.Context, jobs []job, seed maphash.Seed, apply func(i int, idx *layerIndex) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		idx  *layerIndex
		err  error
		done chan struct{}
	}
	first := map[v1.Hash]int{} // the first job that names a DiffID
	results := make([]*result, len(jobs))
	lastUse := map[v1.Hash]int{}
	for i, j := range jobs {
		lastUse[j.diff] = i
		if k, ok := first[j.diff]; ok {
			results[i] = results[k]
			continue
		}
		first[j.diff] = i
		results[i] = &result{done: make(chan struct{})}
	}
	slots := make(chan struct{}, max(runtime.GOMAXPROCS(0), 2))
	go func() {
		for i, j := range jobs {
			if first[j.diff] != i {
				continue
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				r := results[i]
				r.idx, r.err = readLayer(ctx, j.layer, seed)
				if r.err != nil {
					r.err = fmt.Errorf("reading %s, %s: %w", j.whose, j.diff, r.err)
				}
				close(r.done)
			}()
		}
	}()
	for i, j := range jobs {
		r := results[i]
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if r.err != nil {
			return r.err
		}
		if err := apply(i, r.idx); err != nil {
			return err
		}
		if first[j.diff] == i {
			<-slots // read and applied: the next layer may be read
		}
		if lastUse[j.diff] == i {
			r.idx = nil
		}
	}
	return nil
}
