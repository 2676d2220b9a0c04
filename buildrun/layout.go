package buildrun

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/ociindex"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Every build exports its image into one shared OCI layout. BuildKit
// writes the blobs through the layout's content store, skipping those it
// already holds (so a warm build sends no layer again), and buildscope
// adds the manifest to the index itself, waiting for the index lock:
// builds running at the same time — parallel stages, two terminals —
// share the layout safely.

// resultExport is the exporter that keeps a build's image.
func resultExport(paths Paths, id string) (client.ExportEntry, error) {
	dir := paths.Results()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return client.ExportEntry{}, fmt.Errorf("creating %s: %w", dir, err)
	}
	store, err := contentlocal.NewStore(dir)
	if err != nil {
		return client.ExportEntry{}, fmt.Errorf("opening %s: %w", dir, err)
	}
	return client.ExportEntry{Type: client.ExporterOCI, OutputStore: store,
		Attrs: map[string]string{"tar": "false", "name": "buildscope.local/build:" + id}}, nil
}

// indexResult adds the exported manifest to the layout's index.
func indexResult(paths Paths, id string, resp map[string]string) error {
	enc := resp[exptypes.ExporterImageDescriptorKey]
	if enc == "" {
		return fmt.Errorf("BuildKit returned no image descriptor")
	}
	dt, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return fmt.Errorf("decoding the image descriptor: %w", err)
	}
	var desc ocispecs.Descriptor
	if err := json.Unmarshal(dt, &desc); err != nil {
		return fmt.Errorf("decoding the image descriptor: %w", err)
	}
	store := ociindex.NewStoreIndex(paths.Results())
	return retryLocked(func() error { return store.Put(desc, ociindex.Name("buildscope.local/build:"+id)) })
}

// retryLocked retries f while another process holds the index lock
// (ociindex only tries the lock once).
func retryLocked(f func() error) error {
	var err error
	for i := 0; i < 200; i++ {
		if err = f(); err == nil || !strings.Contains(err.Error(), "could not lock") {
			return err
		}
		time.Sleep(time.Duration(5+i) * time.Millisecond)
	}
	return err
}
