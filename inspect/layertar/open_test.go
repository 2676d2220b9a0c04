package layertar_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/inspect/layertar"
)

// Open gives the bytes go-containerregistry's Uncompressed gives, for
// every way a layer is stored.
func TestOpenMatchesGoContainerregistry(t *testing.T) {
	tb := imagetest.Tar(t, imagetest.Dir("etc/"), imagetest.Text("etc/motd", strings.Repeat("hello ", 5000)))
	img := imagetest.Image(t, []imagetest.File{imagetest.Sized("a", 3000)}, []imagetest.File{imagetest.Text("b", "b")})
	dir := t.TempDir()
	p, err := layout.FromPath(imagetest.WriteLayout(t, dir, img))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	fromLayout, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	fromSave, err := tarball.ImageFromPath(imagetest.WriteDockerSave(t, t.TempDir(), img, "example.test/img:1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	layersOf := func(img v1.Image) []v1.Layer {
		ls, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		return ls
	}
	cases := map[string]v1.Layer{
		"gzip blob":         imagetest.Blob(t, imagetest.Gzip(t, tb), types.OCILayer),
		"zstd blob":         imagetest.Blob(t, imagetest.Zstd(t, tb), types.OCILayerZStd),
		"plain blob":        imagetest.Blob(t, tb, types.OCIUncompressedLayer),
		"tarball layer":     imagetest.LayerOf(t, tb),
		"layout layer":      layersOf(fromLayout)[1],
		"docker-save layer": layersOf(fromSave)[0],
	}
	for name, l := range cases {
		want := imagetest.ReadAll(t, l.Uncompressed)
		if got := imagetest.ReadAll(t, func() (io.ReadCloser, error) { return layertar.Open(l) }); !bytes.Equal(got, want) {
			t.Errorf("%s: Open gave %d bytes, Uncompressed %d", name, len(got), len(want))
		}
	}
	if _, err := layertar.Open(static.NewLayer(tb, "application/vnd.example.blob")); err == nil ||
		!strings.Contains(err.Error(), `unknown layer media type "application/vnd.example.blob"`) {
		t.Errorf("a blob of another media type opened: %v", err)
	}
}
