package results_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/model"
)

// resultsFixture is a history and a results layout holding the blobs of
// three images (no index entry, as builds write them): a, b (sharing a's
// base layer) and an index of c.
type resultsFixture struct {
	h                   history.History
	dir                 string
	a, b, c             string // the records' Result refs
	aOnly, base, cLayer string // blob digests
}

func newResultsFixture(t *testing.T) *resultsFixture {
	t.Helper()
	stateDir := t.TempDir()
	f := &resultsFixture{h: history.History{Dir: filepath.Join(stateDir, "history")}, dir: filepath.Join(stateDir, "results")}
	p, err := layout.Write(f.dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	base := imagetest.Members("etc/", "etc/keep=k")
	a := imagetest.Image(t, base, imagetest.Members("a=one\n"))
	b := imagetest.Image(t, base, imagetest.Members("b=two\n"))
	c := imagetest.Image(t, imagetest.Members("c=three\n"))
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: c})
	if err := p.WriteImage(a); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteImage(b); err != nil {
		t.Fatal(err)
	}
	if err := p.WriteIndex(idx); err != nil {
		t.Fatal(err)
	}
	digest := func(d interface{ String() string }, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return d.String()
	}
	f.a, f.b, f.c = digest(a.Digest()), digest(b.Digest()), digest(idx.Digest())
	al, _ := a.Layers()
	cl, _ := c.Layers()
	f.base, f.aOnly, f.cLayer = digest(al[0].Digest()), digest(al[1].Digest()), digest(cl[0].Digest())
	for i, ref := range []string{f.a, f.b, f.c} {
		rec := &model.Build{ID: strings.Repeat(string(rune('a'+i)), 12), Started: time.Unix(int64(i), 0), Builder: "embedded",
			Result: &model.ResultRef{Kind: model.ResultOCILayout, Path: f.dir, Ref: ref}}
		if err := f.h.Save(rec); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *resultsFixture) has(d string) bool {
	_, err := os.Stat(filepath.Join(f.dir, "blobs", "sha256", strings.TrimPrefix(d, "sha256:")))
	return err == nil
}

// Removing a build's record frees its image's own blobs; the blobs other
// records' images hold (a shared base layer, an index's images) stay, and
// those images still open.
func TestSweepFreesOnlyWhatNoRecordUses(t *testing.T) {
	f := newResultsFixture(t)
	if fr, err := results.Sweep(f.dir, f.records); err != nil || fr.Blobs != 0 || fr.Skipped != "" {
		t.Fatalf("sweep with every record: %+v, %v", fr, err)
	}
	if _, err := f.h.Remove("aaaaaaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	fr, err := results.Sweep(f.dir, f.records)
	if err != nil || fr.Skipped != "" {
		t.Fatalf("sweep: %+v, %v", fr, err)
	}
	if fr.Blobs != 3 || fr.Bytes <= 0 { // a's manifest, config and own layer
		t.Errorf("freed %d blobs (%d bytes), want a's manifest, config and layer", fr.Blobs, fr.Bytes)
	}
	if f.has(f.a) || f.has(f.aOnly) {
		t.Error("a's manifest or own layer is still there")
	}
	if !f.has(f.base) || !f.has(f.cLayer) || !f.has(f.c) {
		t.Error("a blob another record uses was removed")
	}
	for _, ref := range []string{f.b, f.c} {
		if _, err := results.Open(f.dir, ref); err != nil {
			t.Fatalf("image %s no longer opens: %v", ref, err)
		}
	}
	if img, err := results.LayoutImage(f.dir, f.b, ""); err != nil {
		t.Fatal(err)
	} else if _, err := img.ConfigFile(); err != nil {
		t.Errorf("b's config: %v", err)
	}
}

// No sweep while a build holds the store, while a record is damaged, or
// when a record names a blob that is not an image: each says why.
func TestSweepRefusesWhatItCannotKnow(t *testing.T) {
	f := newResultsFixture(t)
	if _, err := f.h.Remove("aaaaaaaaaaaa"); err != nil {
		t.Fatal(err)
	}
	unlock, ok, err := results.Lock(f.dir, false)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	fr, err := results.Sweep(f.dir, f.records)
	if err != nil || !strings.Contains(fr.Skipped, "a build is running") || fr.Blobs != 0 {
		t.Errorf("sweep while a build holds the store: %+v, %v", fr, err)
	}
	unlock()
	if err := os.WriteFile(filepath.Join(f.h.Dir, "dddddddddddd.json"), []byte(`{"id": "ddd`), 0o600); err != nil {
		t.Fatal(err)
	}
	if fr, err = results.Sweep(f.dir, f.records); err != nil || !strings.Contains(fr.Skipped, "1 damaged record may") {
		t.Errorf("sweep with a damaged record: %+v, %v", fr, err)
	}
	if _, err := f.h.Remove("dddddddddddd"); err != nil {
		t.Fatal(err)
	}
	if err := f.h.Save(&model.Build{ID: "eeeeeeeeeeee", Result: &model.ResultRef{Kind: model.ResultOCILayout, Path: f.dir, Ref: f.base}}); err != nil {
		t.Fatal(err)
	}
	if fr, err = results.Sweep(f.dir, f.records); err != nil || !strings.Contains(fr.Skipped, "is not a manifest or an index") {
		t.Errorf("sweep with a record naming a layer: %+v, %v", fr, err)
	}
	if !f.has(f.aOnly) {
		t.Error("a refused sweep removed a blob")
	}
}

// A sweep that fails after records were removed (here a truncated
// index.json) is said beside the removal, never in its place: rm and
// prune still say what they removed.
func TestRemovalSaysWhatTheSweepCouldNot(t *testing.T) {
	f := newResultsFixture(t)
	paths := state.Paths{State: filepath.Dir(f.dir)}
	if err := os.WriteFile(filepath.Join(f.dir, "index.json"), []byte(`{"schemaVersion":2,"manif`), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := buildrun.RemoveAnywhere(context.Background(), paths, "aaaa", nil, nil)
	if err != nil || r.ID != "aaaaaaaaaaaa" || r.Results == nil || !strings.Contains(r.Results.Skipped, "reading the index of") {
		t.Fatalf("rm with a truncated index: %+v, %v", r, err)
	}
	if !strings.Contains(r.Text(), "removed aaaaaaaaaaaa from buildscope's history") || !strings.Contains(r.Text(), "was not swept: reading the index") {
		t.Errorf("rm's text:\n%s", r.Text())
	}
	p, err := buildrun.PruneHistory(context.Background(), paths, buildrun.Retention{Keep: 1}, nil, nil)
	if err != nil || len(p.Removed) != 1 || p.Results == nil || p.Results.Skipped == "" {
		t.Fatalf("prune with a truncated index: %+v, %v", p, err)
	}
	if !f.has(f.aOnly) {
		t.Error("a failed sweep removed a blob")
	}
}

// records are the fixture history's records, as the sweep reads them.
func (f *resultsFixture) records() ([]*model.Build, int, error) {
	builds, damaged, err := f.h.Scan()
	return builds, len(damaged), err
}
