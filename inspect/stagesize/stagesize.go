// Package stagesize measures the images of a Dockerfile's stages: their
// sizes as go-containerregistry reads them, and the flattened filesystems
// from which model.LeftBehind finds what the final image left behind.
//
// Each layer is read once, ever: what it holds (uncompressed size, paths,
// sizes, content digests, whiteouts) is cached by its DiffID, so measuring
// the stages again after a warm build reads no layer at all.
package stagesize

import (
	"archive/tar"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layertar"
	"github.com/buildscope/buildscope/model"
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
}

// layerIndex is what a layer holds.
type layerIndex struct {
	Uncompressed int64   `json:"u"`
	Entries      []entry `json:"e"`
}

// Measurer measures images, caching layer indexes in Cache (no cache when
// empty).
type Measurer struct {
	Cache string
}

// Result is one image measured.
type Result struct {
	Uncompressed, Compressed int64
	Layers                   int
	Files                    model.FileSet
}

// Measure reads an image's sizes and flattened filesystem (whiteouts and
// opaque directories applied as the OCI image spec says).
func (m Measurer) Measure(img v1.Image) (*Result, error) {
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers: %w", err)
	}
	r := &Result{Layers: len(ls), Files: model.FileSet{}}
	for i, l := range ls {
		n, err := l.Size()
		if err != nil {
			return nil, fmt.Errorf("size of layer %d: %w", i, err)
		}
		r.Compressed += n
		idx, err := m.index(l)
		if err != nil {
			return nil, fmt.Errorf("reading layer %d: %w", i, err)
		}
		r.Uncompressed += idx.Uncompressed
		apply(r.Files, idx)
	}
	return r, nil
}

// apply lays a layer over the files of the layers below it.
func apply(fs model.FileSet, idx *layerIndex) {
	for _, e := range idx.Entries {
		switch e.Kind {
		case kindWhiteout:
			removeTree(fs, e.Path)
		case kindOpaque:
			removeChildren(fs, e.Path)
		}
	}
	for _, e := range idx.Entries {
		switch e.Kind {
		case kindDir:
			fs[e.Path] = model.FileEntry{Dir: true}
		case kindFile:
			fs[e.Path] = model.FileEntry{Size: e.Size, Digest: e.Digest}
		case kindOther:
			removeChildren(fs, e.Path) // a file replacing a directory
			fs[e.Path] = model.FileEntry{}
		default:
			continue
		}
		for a := path.Dir(e.Path); a != "/"; a = path.Dir(a) {
			if _, ok := fs[a]; ok {
				break
			}
			fs[a] = model.FileEntry{Dir: true}
		}
	}
}

func removeTree(fs model.FileSet, p string) {
	delete(fs, p)
	removeChildren(fs, p)
}

func removeChildren(fs model.FileSet, dir string) {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for k := range fs {
		if strings.HasPrefix(k, prefix) {
			delete(fs, k)
		}
	}
}

func (m Measurer) index(l v1.Layer) (*layerIndex, error) {
	diff, err := l.DiffID()
	if err != nil {
		return nil, fmt.Errorf("reading its diff ID: %w", err)
	}
	cache := ""
	if m.Cache != "" {
		cache = filepath.Join(m.Cache, diff.Hex+".json.gz")
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
		case e.Header.Typeflag == tar.TypeDir:
			idx.Entries = append(idx.Entries, entry{Path: p, Kind: kindDir})
		case e.IsRegular():
			idx.Entries = append(idx.Entries, entry{Path: p, Kind: kindFile, Size: e.Header.Size, Digest: e.Digest})
		default:
			idx.Entries = append(idx.Entries, entry{Path: p, Kind: kindOther})
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
	gz := gzip.NewWriter(tmp)
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
// uncompressed (the Docker engine's), compressed equals uncompressed, as
// go-containerregistry reports for a `docker save` of them.
func (m Measurer) MeasureCached(diffIDs []string) (*Result, bool) {
	if m.Cache == "" {
		return nil, false
	}
	r := &Result{Layers: len(diffIDs), Files: model.FileSet{}}
	for _, d := range diffIDs {
		idx, err := readIndex(filepath.Join(m.Cache, strings.TrimPrefix(d, "sha256:")+".json.gz"))
		if err != nil {
			return nil, false
		}
		r.Uncompressed += idx.Uncompressed
		apply(r.Files, idx)
	}
	r.Compressed = r.Uncompressed
	return r, true
}
