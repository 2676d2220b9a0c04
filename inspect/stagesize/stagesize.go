// Package stagesize measures the images of a Dockerfile's stages: their
// sizes as go-containerregistry reads them, and the flattened filesystems
// from which compare.LeftBehind finds what the final image left behind.
//
// Each layer is read once, ever: what it holds (uncompressed size, paths,
// sizes, content digests, whiteouts) is cached by its DiffID, so measuring
// the stages again after a warm build reads no layer at all.
package stagesize

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"

	"github.com/buildscope/buildscope/inspect/layertar"
	"github.com/buildscope/buildscope/model/compare"
)

// Entry kinds of a layer index.
const (
	kindDir      = "d"
	kindFile     = "f"
	kindOther    = "o"
	kindWhiteout = "w"
	kindOpaque   = "q"
)

type entry struct {
	Path   string `json:"p"`
	Kind   string `json:"k"`
	Size   int64  `json:"s,omitempty"`
	Digest string `json:"d,omitempty"`
	Mode   int64  `json:"m,omitempty"`
	UID    int    `json:"u,omitempty"`
	GID    int    `json:"g,omitempty"`
	Link   string `json:"l,omitempty"` // symlink or hard link target
}

// layerIndex is what a layer holds.
type layerIndex struct {
	Uncompressed int64 `json:"u"`
	// Content is the layer's content as `docker image ls` counts it: the
	// bytes of its regular files (a hard link's once) and its symlinks'
	// targets; Uncompressed adds the tar's headers and padding.
	Content int64   `json:"c"`
	Entries []entry `json:"e"`
}

// indexSuffix names the cached index files; a new one is a new format
// (v2 keeps mode, owner and link target; v3 the content size).
const indexSuffix = ".v3.json.gz"

// Measurer measures images, caching layer indexes in Cache (no cache when
// empty).
type Measurer struct {
	Cache string
}

// Result is one image measured.
type Result struct {
	// Content is what `docker image ls` counts (see layerIndex.Content):
	// the one uncompressed size buildscope reports (size_bytes);
	// Uncompressed is the length of the layers' tars.
	Content, Uncompressed int64
	// Compressed is the layer blobs' size as a registry stores them; 0
	// when the layers are stored uncompressed (the Docker engine's), where
	// it is not known.
	Compressed int64
	Layers     int
	Files      compare.FileSet
}

// Measure reads an image's sizes and flattened filesystem (whiteouts and
// opaque directories applied as the OCI image spec says).
func (m Measurer) Measure(img v1.Image) (*Result, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	r := &Result{Layers: len(ls), Files: compare.FileSet{}}
	// layers are read (or their cached index loaded) a few at a time, and
	// applied in order
	idxs := make([]*layerIndex, len(ls))
	if err := m.indexLayers(img, ls, func(i int, idx *layerIndex) { idxs[i] = idx }); err != nil {
		return nil, err
	}
	compressed := true
	for i, l := range ls {
		n, err := l.Size()
		if err != nil {
			return nil, fmt.Errorf("size of layer %d: %w", i, err)
		}
		if mt, err := l.MediaType(); err == nil && uncompressedMedia(mt) {
			compressed = false // a docker save tar: its length is not a compressed size
		}
		r.Compressed += n
		r.Uncompressed += idxs[i].Uncompressed
		r.Content += idxs[i].Content
		apply(r.Files, idxs[i], i)
	}
	if !compressed {
		r.Compressed = 0
	}
	return r, nil
}

// uncompressedMedia says a layer's blob is a plain tar, as in a `docker
// save` archive.
func uncompressedMedia(mt types.MediaType) bool {
	return mt == types.DockerUncompressedLayer || mt == types.OCIUncompressedLayer || mt == types.OCIUncompressedRestrictedLayer
}

// LayerContents is each layer's content (layerIndex.Content) of img, from
// the cached indexes when the layers were read before; what a build
// record's sizes are (size_bytes, as `docker image ls` counts them).
func (m Measurer) LayerContents(img v1.Image) ([]int64, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	out := make([]int64, len(ls))
	return out, m.indexLayers(img, ls, func(i int, idx *layerIndex) { out[i] = idx.Content })
}

// indexLayers reads each layer ls of img holds (or loads its cached
// index), a few layers at a time, and gives it to keep with the layer's
// number; keep runs concurrently, once per number. The cache is found by
// the diff IDs img's config lists: a layer of an OCI layout has none of
// its own, and asking it decompresses the whole blob to hash it (1.5 s
// of a warm build's record for a 200 MB layer).
func (m Measurer) indexLayers(img v1.Image, ls []v1.Layer, keep func(i int, idx *layerIndex)) error {
	var diffIDs []v1.Hash
	if cf, err := img.ConfigFile(); err == nil && len(cf.RootFS.DiffIDs) == len(ls) {
		diffIDs = cf.RootFS.DiffIDs
	}
	var eg errgroup.Group
	eg.SetLimit(max(runtime.GOMAXPROCS(0), 2))
	for i, l := range ls {
		eg.Go(func() error {
			var diff v1.Hash
			if diffIDs != nil {
				diff = diffIDs[i]
			}
			idx, err := m.index(l, diff)
			if err != nil {
				return fmt.Errorf("reading layer %d: %w", i, err)
			}
			keep(i, idx)
			return nil
		})
	}
	return eg.Wait()
}

// apply lays layer number layer over the files of the layers below it.
func apply(fs compare.FileSet, idx *layerIndex, layer int) {
	for _, e := range idx.Entries {
		switch e.Kind {
		case kindWhiteout:
			removeTree(fs, e.Path)
		case kindOpaque:
			removeChildren(fs, e.Path)
		}
	}
	for _, e := range idx.Entries {
		fe := compare.FileEntry{Mode: e.Mode, UID: e.UID, GID: e.GID, Link: e.Link, Layer: layer}
		switch e.Kind {
		case kindDir:
			fe.Dir = true
		case kindFile:
			fe.Size, fe.Digest = e.Size, e.Digest
		case kindOther:
			if old, ok := fs[e.Path]; ok && old.Dir {
				removeChildren(fs, e.Path) // a file replacing a directory
			}
		default:
			continue
		}
		fs[e.Path] = fe
		for a := path.Dir(e.Path); a != "/"; a = path.Dir(a) {
			if _, ok := fs[a]; ok {
				break
			}
			fs[a] = compare.FileEntry{Dir: true, Layer: layer}
		}
	}
}

// removeTree removes p and, when p is a directory, what is under it: only
// a directory has children, so removing a file costs one lookup, not a
// scan of every path.
func removeTree(fs compare.FileSet, p string) {
	e, ok := fs[p]
	if !ok {
		return
	}
	delete(fs, p)
	if e.Dir {
		removeChildren(fs, p)
	}
}

func removeChildren(fs compare.FileSet, dir string) {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for k := range fs {
		if strings.HasPrefix(k, prefix) {
			delete(fs, k)
		}
	}
}

// index is layer l's index, from the cache under its diff ID (diff, or,
// when zero, the one l computes) when read before.
func (m Measurer) index(l v1.Layer, diff v1.Hash) (*layerIndex, error) {
	if diff == (v1.Hash{}) {
		var err error
		if diff, err = l.DiffID(); err != nil {
			return nil, fmt.Errorf("reading its diff ID: %w", err)
		}
	}
	cache := ""
	if m.Cache != "" {
		cache = filepath.Join(m.Cache, diff.Hex+indexSuffix)
		if idx, err := readIndex(cache); err == nil {
			return idx, nil
		}
	}
	rc, err := layertar.Open(l)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	idx, err := readLayer(rc)
	if err != nil {
		return nil, err
	}
	if cache != "" {
		_ = writeIndex(cache, idx) // a cache that cannot be written only costs time
	}
	return idx, nil
}

func readLayer(r io.Reader) (*layerIndex, error) {
	idx := &layerIndex{}
	n, err := layertar.Read(r, layertar.Options{Digests: true}, func(e *layertar.Entry) error {
		p := "/" + e.Path
		switch {
		case e.Op == layertar.Opaque:
			idx.Entries = append(idx.Entries, entry{Path: p, Kind: kindOpaque})
		case e.Op == layertar.Whiteout:
			idx.Entries = append(idx.Entries, entry{Path: p, Kind: kindWhiteout})
		default:
			en := entry{Path: p, Kind: kindOther, Mode: e.Header.Mode, UID: e.Header.Uid, GID: e.Header.Gid, Link: e.Header.Linkname}
			if e.Link != "" {
				en.Link = "/" + e.Link
			}
			switch {
			case e.Header.Typeflag == tar.TypeDir:
				en.Kind = kindDir
			case e.IsRegular():
				en.Kind, en.Size, en.Digest = kindFile, e.Header.Size, e.Digest
				idx.Content += e.Header.Size
			case e.Header.Typeflag == tar.TypeSymlink:
				idx.Content += int64(len(e.Header.Linkname)) // as docker counts a symlink
			}
			idx.Entries = append(idx.Entries, en)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	idx.Uncompressed = n
	return idx, nil
}

func readIndex(file string) (*layerIndex, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var idx layerIndex
	if err := json.NewDecoder(gz).Decode(&idx); err != nil {
		return nil, err
	}
	return &idx, nil
}

func writeIndex(file string, idx *layerIndex) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".idx*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	gz, err := gzip.NewWriterLevel(tmp, gzip.BestSpeed) // an index is written once and read rarely
	if err != nil {
		tmp.Close()
		return err
	}
	if err := json.NewEncoder(gz).Encode(idx); err != nil {
		tmp.Close()
		return err
	}
	if err := gz.Close(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// MeasureCached measures an image from the cached indexes of its layers,
// given their DiffIDs in order, without reading any layer; ok is false
// when a layer was never read. For images whose layers are stored
// uncompressed (the Docker engine's), the compressed size is not known: 0.
func (m Measurer) MeasureCached(diffIDs []string) (*Result, bool) {
	if m.Cache == "" {
		return nil, false
	}
	r := &Result{Layers: len(diffIDs), Files: compare.FileSet{}}
	for i, d := range diffIDs {
		idx, err := readIndex(filepath.Join(m.Cache, strings.TrimPrefix(d, "sha256:")+indexSuffix))
		if err != nil {
			return nil, false
		}
		r.Uncompressed += idx.Uncompressed
		r.Content += idx.Content
		apply(r.Files, idx, i)
	}
	return r, true // Compressed 0: the engine stores layers uncompressed
}
