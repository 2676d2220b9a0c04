// Package results is the one OCI layout every build's image is exported
// into: its layout and lock, opening and summarising an image in it, an
// image from a builder's content blobs, and the sweep of what no record uses.
package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/state"
)

// Every build exports its image into one shared OCI layout. BuildKit
// writes the blobs through the layout's content store, skipping those it
// already holds (so a warm build sends no layer again). Records name their
// image by manifest digest, which opens it straight from the blobs, so
// builds never rewrite a shared index: builds running at the same time —
// parallel stages, two terminals — share the layout safely, and the cost
// of keeping a result does not grow with the number of builds kept.

// Export is the exporter that keeps a build's image.
func Export(paths state.Paths, id string) (client.ExportEntry, error) {
	store, err := Store(paths)
	if err != nil {
		return client.ExportEntry{}, err
	}
	return client.ExportEntry{Type: client.ExporterOCI, OutputStore: store,
		Attrs: map[string]string{"tar": "false", "name": "buildscope.local/build:" + id}}, nil
}

// Store is the content store of the results layout, created (an
// empty OCI layout) when missing.
func Store(paths state.Paths) (content.Store, error) {
	dir := paths.Results()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); errors.Is(err, os.ErrNotExist) {
		// an empty layout, each file whole and index.json last (a crash
		// never leaves a truncated index.json that the sweep cannot read)
		for _, f := range [][2]string{
			{"oci-layout", `{"imageLayoutVersion":"1.0.0"}`},
			{"index.json", `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`},
		} {
			if err := state.WriteFileAtomic(filepath.Join(dir, f[0]), []byte(f[1]), 0o644); err != nil {
				return nil, fmt.Errorf("creating the OCI layout %s: %w", dir, err)
			}
		}
	}
	store, err := contentlocal.NewStore(dir)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", dir, err)
	}
	locks := filepath.Join(paths.State, "locks", "results-ingest")
	if err := state.EnsurePrivateDir(locks); err != nil {
		return nil, err
	}
	return lockedStore{Store: store, locks: locks}, nil
}
