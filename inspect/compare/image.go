// Package compare sets two images side by side: sizes, the layers they
// share (by DiffID) and not, configuration changes, and the files added,
// removed and changed with the layer that last wrote each on each side.
package compare

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/layertar"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// Options tune Compare.
type Options struct {
	// Semantic leaves out what differs only in timestamps (the config's
	// created time); file contents are compared by digest, whatever layer
	// holds them.
	Semantic bool
	// Content adds unified diffs of the text files B adds or changes.
	Content bool
	// maxPaths bounds the paths the two images name (0:
	// layertar.MaxPaths; tests take a smaller one)
	maxPaths int
}

// Compare compares image a with image b. Each distinct layer (by DiffID)
// is read once, however many times the two images hold it.
func Compare(ctx context.Context, a, b v1.Image, o Options) (*Images, error) {
	// a docker-save tar's manifest is made by hashing its layer blobs:
	// the two images' at once
	var sa, sb *side
	var eg errgroup.Group
	eg.Go(func() (err error) { sa, err = readSide(a, "A"); return err })
	eg.Go(func() (err error) { sb, err = readSide(b, "B"); return err })
	if err := eg.Wait(); err != nil {
		return nil, err
	}
	files, err := readFiles(ctx, sa, sb, o.maxPaths)
	if err != nil {
		return nil, err
	}
	c := &Images{}
	for i, s := range [2]*side{sa, sb} {
		plain := false
		for j, d := range s.diffIDs {
			if s.sizes[j] < 0 { // stored as a plain tar: no compressed size
				s.sizes[j], plain = 0, true
			}
			c.Size[i] += files.content[d] // as docker image ls counts it
			c.Compressed[i] += s.sizes[j]
		}
		if plain {
			c.Compressed[i] = 0 // not known: 0, as the layers' (see Text)
		}
	}
	c.Layers, c.SharedLayers = layers(sa, sb)
	c.Config = configChanges(sa.cfg, sb.cfg, o.Semantic)
	c.Files = files.diff([2][]string{sa.createdBy, sb.createdBy})
	files = nil // the trees are garbage from here on
	compare.SortChanges(c.Files)
	c.Dirs = compare.SumDirs(c.Files)
	if c.Config == nil {
		c.Config = []ConfigChange{}
	}
	if c.Files == nil {
		c.Files = []compare.FileChange{}
	}
	c.Same = len(c.Files) == 0 && len(configChanges(sa.cfg, sb.cfg, true)) == 0
	if o.Content {
		var paths []string
		for _, f := range c.Files {
			if f.Kind != "D" {
				paths = append(paths, f.Path)
			}
		}
		diffs, err := cdiff.ImageContentDiffs(a, b, paths)
		if err != nil {
			return nil, fmt.Errorf("reading the changed files' content: %w", err)
		}
		for i := range c.Files {
			c.Files[i].Diff = diffs[c.Files[i].Path]
		}
	}
	return c, nil
}

// Images is the comparison of image A with image B.
type Images struct {
	// Size is the uncompressed content of A's and B's layers, as `docker
	// image ls` counts it; Compressed the layer blobs' bytes, 0 when a
	// side's layers are stored uncompressed (the engine's: not known).
	Size       [2]int64 `json:"size_bytes"`
	Compressed [2]int64 `json:"compressed_bytes"`
	Layers     []Layer  `json:"layers"`
	// SharedLayers is how many of B's layers A has too (same DiffID).
	SharedLayers int                  `json:"shared_layers"`
	Config       []ConfigChange       `json:"config_changes"`
	Files        []compare.FileChange `json:"files"`
	// Dirs sums the changed files' size change per top-level directory.
	Dirs []compare.DirChange `json:"dirs"`
	// Same says the two images hold the same content: with --semantic,
	// ignoring timestamps and layer packaging.
	Same bool `json:"same_content"`
}

// Layer is one layer of A or B.
type Layer struct {
	DiffID string `json:"diff_id"`
	Side   string `json:"side"`  // "both", "a" or "b"
	Index  [2]int `json:"index"` // -1 where absent
	// CompressedBytes is the layer blob's size.
	CompressedBytes int64  `json:"compressed_bytes"`
	CreatedBy       string `json:"created_by"`
}

// ConfigChange is one configuration field that differs.
type ConfigChange struct {
	Field string `json:"field"`
	A     string `json:"a"`
	B     string `json:"b"`
}

// side is what Compare reads of one image.
type side struct {
	cfg       *v1.ConfigFile
	layers    []v1.Layer
	diffIDs   []v1.Hash
	sizes     []int64 // compressed blob sizes
	createdBy []string
}

func readSide(img v1.Image, name string) (*side, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the config of %s: %w", name, err)
	}
	ls, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the layers of %s: %w", name, err)
	}
	s := &side{cfg: cfg, layers: ls}
	var made []string
	for _, h := range cfg.History {
		if !h.EmptyLayer {
			made = append(made, h.CreatedBy)
		}
	}
	for i, l := range ls {
		d, err := l.DiffID()
		if err != nil {
			return nil, fmt.Errorf("layer %d of %s: %w", i, name, err)
		}
		s.diffIDs = append(s.diffIDs, d)
		n := int64(-1) // the tar's bytes, once read
		if !layertar.StoredUncompressed(l) {
			if n, err = l.Size(); err != nil {
				return nil, fmt.Errorf("layer %d of %s: %w", i, name, err)
			}
		}
		s.sizes = append(s.sizes, n)
		cb := ""
		if i < len(made) {
			cb = made[i]
		}
		s.createdBy = append(s.createdBy, cb)
	}
	return s, nil
}

// layers pairs the layers of a and b by DiffID.
func layers(a, b *side) ([]Layer, int) {
	inA := map[v1.Hash]int{}
	for i, d := range a.diffIDs {
		inA[d] = i
	}
	inB := map[v1.Hash]int{}
	for i, d := range b.diffIDs {
		inB[d] = i
	}
	var out []Layer
	shared := 0
	for i, d := range a.diffIDs {
		l := Layer{DiffID: d.String(), Side: "a", Index: [2]int{i, -1}, CompressedBytes: a.sizes[i], CreatedBy: a.createdBy[i]}
		if j, ok := inB[d]; ok {
			l.Side, l.Index[1] = "both", j
		}
		out = append(out, l)
	}
	for j, d := range b.diffIDs {
		if _, ok := inA[d]; ok {
			shared++
			continue
		}
		out = append(out, Layer{DiffID: d.String(), Side: "b", Index: [2]int{-1, j}, CompressedBytes: b.sizes[j], CreatedBy: b.createdBy[j]})
	}
	return out, shared
}

// configChanges lists the configuration fields that differ. semantic
// leaves out what differs only in time (created, history timestamps).
func configChanges(a, b *v1.ConfigFile, semantic bool) []ConfigChange {
	var out []ConfigChange
	add := func(field, x, y string) {
		if x != y {
			out = append(out, ConfigChange{Field: field, A: x, B: y})
		}
	}
	ca, cb := a.Config, b.Config
	add("Env", joinLines(ca.Env), joinLines(cb.Env))
	add("Cmd", strings.Join(ca.Cmd, " "), strings.Join(cb.Cmd, " "))
	add("Entrypoint", strings.Join(ca.Entrypoint, " "), strings.Join(cb.Entrypoint, " "))
	add("User", ca.User, cb.User)
	add("WorkingDir", ca.WorkingDir, cb.WorkingDir)
	add("ExposedPorts", setKeys(ca.ExposedPorts), setKeys(cb.ExposedPorts))
	add("Volumes", setKeys(ca.Volumes), setKeys(cb.Volumes))
	add("Labels", mapText(ca.Labels), mapText(cb.Labels))
	add("StopSignal", ca.StopSignal, cb.StopSignal)
	add("platform", platformText(a), platformText(b))
	var ha, hb []string
	for _, h := range a.History {
		ha = append(ha, h.CreatedBy)
	}
	for _, h := range b.History {
		hb = append(hb, h.CreatedBy)
	}
	add("history", joinLines(ha), joinLines(hb))
	if !semantic {
		add("created", a.Created.UTC().String(), b.Created.UTC().String())
	}
	return out
}

func setKeys(m map[string]struct{}) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func mapText(m map[string]string) string {
	keys := slices.Collect(maps.Keys(m))
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(model.Printable(k+"="+m[k]) + "\n")
	}
	return b.String()
}

// ListFields are the config fields written one entry a line (Env, Labels,
// history): each entry escaped (model.Printable), so that one holding a
// line break cannot pass for two.
var ListFields = map[string]bool{"Env": true, "Labels": true, "history": true}

// joinLines writes a list one escaped entry a line.
func joinLines(entries []string) string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = model.Printable(e)
	}
	return strings.Join(out, "\n")
}

// platformText is the config's platform, "" when it names none.
func platformText(c *v1.ConfigFile) string {
	if p := c.Platform(); p != nil {
		return p.String()
	}
	return ""
}
