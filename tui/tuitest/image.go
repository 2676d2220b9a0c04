package tuitest

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// ScenarioImage is the image of the recorded container scenario
// (testdata/cdiff/record.sh): its real layer tars, in order. root is the
// path to the repository's root from the test's directory. The image is
// made once per root and shared: making it digests every layer, gzip
// included (a quarter of the CPU of a test that opens a model per key).
func ScenarioImage(t testing.TB, root string) v1.Image {
	t.Helper()
	if img, ok := scenarioImages.Load(root); ok {
		return img.(v1.Image)
	}
	names, err := filepath.Glob(filepath.Join(root, "testdata", "cdiff", "scenario", "image-*.tar"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no recorded image layers: %v", err)
	}
	sort.Strings(names)
	var ls []v1.Layer
	for _, n := range names {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return os.Open(n) })
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
	}
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	scenarioImages.Store(root, img)
	return img
}

// scenarioImages are the images ScenarioImage made, by root.
var scenarioImages sync.Map
