package builderhistory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	controlapi "github.com/moby/buildkit/api/services/control"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/buildrun/bundle"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// Media types of the bundle `docker buildx history export` writes: each
// record is a manifest whose config is the record (JSON) and whose layers
// are its blobs (logs, provenance, trace); several records are listed in
// an index, each annotated with its ref.
const (
	historyRecordMediaType = "application/vnd.buildkit.historyrecord.v0"
	bundleRefAnnotation    = "vnd.buildkit.history.reference"
)

// ImportedBuilder names the builder of an imported build: the bundle does
// not say which builder ran it.
const ImportedBuilder = "imported"

// bundleRecord is the config of a record's manifest in a bundle: the
// builder's history record, as buildx encodes it.
type bundleRecord struct {
	*controlapi.BuildHistoryRecord
	DefaultPlatform string
}

// ImportBundle reads the bundle `docker buildx history export` writes (a
// gzip'd OCI archive of build records) and saves every record in it to h
// as a build, with its status stream for the UI's replay: imported, a CI
// build can be shown, replayed and explained (against the previous
// imported build of the same Dockerfile) on another machine. A record
// imported again replaces its earlier import (its ID is BuildKit's ref).
func ImportBundle(ctx context.Context, h history.History, file string) ([]*model.Build, error) {
	dir, cleanup, err := bundle.Unpack(file)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	store, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, fmt.Errorf("reading bundle %s: %w", file, err)
	}
	root, err := bundleRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("reading bundle %s: %w", file, err)
	}
	manifests := []ocispecs.Descriptor{root}
	if root.MediaType == ocispecs.MediaTypeImageIndex {
		var idx ocispecs.Index
		if err := readJSONBlob(ctx, store, root, &idx); err != nil {
			return nil, fmt.Errorf("reading bundle %s: %w", file, err)
		}
		manifests = idx.Manifests
	}
	abs, _ := filepath.Abs(file)
	var out []*model.Build
	for _, md := range manifests {
		var mf ocispecs.Manifest
		if err := readJSONBlob(ctx, store, md, &mf); err != nil {
			return nil, fmt.Errorf("reading bundle %s: record %s: %w", file, model.Printable(md.Annotations[bundleRefAnnotation]), err)
		}
		if mf.Config.MediaType != historyRecordMediaType {
			return nil, fmt.Errorf("bundle %s is not a build record bundle (its manifest's config is %q, not %s): make it with `docker buildx history export`", file, mf.Config.MediaType, historyRecordMediaType)
		}
		var rec bundleRecord
		if err := readJSONBlob(ctx, store, mf.Config, &rec); err != nil || rec.BuildHistoryRecord == nil || rec.Ref == "" {
			return nil, fmt.Errorf("bundle %s: a record does not decode (%v): make it with `docker buildx history export`", file, err)
		}
		if err := history.CheckID(rec.Ref); err != nil {
			return nil, fmt.Errorf("bundle %s: the record's ref is refused, nothing was imported: %w", file, err)
		}
		o, err := recordBuild(ctx, rec.BuildHistoryRecord, store, ImportedBuilder, nil)
		if err != nil {
			return nil, fmt.Errorf("importing build %s from %s: %w", rec.Ref, file, err)
		}
		b := o.Build
		b.Origin.Imported = abs
		if len(b.Platforms) == 0 && rec.DefaultPlatform != "" {
			b.Platforms = []string{rec.DefaultPlatform}
		}
		if err := saveWithEvents(h, b, o); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// saveWithEvents writes the record and its status stream to h.
func saveWithEvents(h history.History, b *model.Build, o *OpenedBuild) error {
	w, err := history.NewEventWriter(h, b.ID)
	if err != nil {
		return err
	}
	for _, s := range o.Events {
		w.Write(s)
	}
	return h.Commit(b, w)
}

// bundleRoot is the descriptor index.json names: a record's manifest, or
// an index of them.
func bundleRoot(dir string) (ocispecs.Descriptor, error) {
	var idx ocispecs.Index
	if err := readJSONFile(filepath.Join(dir, "index.json"), &idx); err != nil {
		return ocispecs.Descriptor{}, err
	}
	if len(idx.Manifests) != 1 {
		return ocispecs.Descriptor{}, fmt.Errorf("index.json lists %d manifests, want 1 (a record or an index of records)", len(idx.Manifests))
	}
	return idx.Manifests[0], nil
}

// maxJSONBlob bounds the JSON blobs of a bundle read into memory.
const maxJSONBlob = 64 << 20

func readJSONBlob(ctx context.Context, store content.Provider, d ocispecs.Descriptor, v any) error {
	if d.Size > maxJSONBlob {
		return fmt.Errorf("blob %s is %d bytes, more than a record's JSON can be", d.Digest, d.Size)
	}
	dt, err := content.ReadBlob(ctx, store, d)
	if err != nil {
		return fmt.Errorf("reading blob %s: %w", d.Digest, err)
	}
	if err := json.Unmarshal(dt, v); err != nil {
		return fmt.Errorf("decoding blob %s: %w", d.Digest, err)
	}
	return nil
}

// readJSONFile decodes a JSON file of the unpacked bundle.
func readJSONFile(file string, v any) error {
	dt, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(bytes.TrimSpace(dt), v); err != nil {
		return fmt.Errorf("decoding %s: %w", filepath.Base(file), err)
	}
	return nil
}
