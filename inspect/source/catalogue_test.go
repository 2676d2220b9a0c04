package source

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/inspect/layers"
)

// The hostile-input catalogue: crafted images, OCI layouts and docker save
// archives, each opened and analysed as `buildscope inspect` does, each
// with its exact outcome: the one-line error naming the input and the
// fault ("SPEC" stands for the input's path, "D0" for the first layer
// blob's digest), or what the right result holds. The e2e catalogue
// (cmd/buildscope/e2e_hostile_catalogue_test.go) adds Dockerfiles,
// contexts, secrets, records and builder addresses.

type catalogueCase struct {
	name     string
	make     func(t *testing.T, dir string) (spec string, d0 v1.Hash)
	platform string
	want     string                                 // the exact error, or "" for success
	check    func(t *testing.T, a *layers.Analysis) // what a success holds
}

// inspectSpec opens spec and analyses every layer, as inspect does.
func inspectSpec(spec, platform string) (*layers.Analysis, error) {
	img, err := Open(context.Background(), spec, Options{Platform: platform})
	if err != nil {
		return nil, err
	}
	defer img.Close()
	return layers.Analyze(context.Background(), img, layers.Options{})
}

func TestHostileCatalogue(t *testing.T) {
	cases := append(append(layoutCases(), layerCases()...), archiveCases()...)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			spec, d0 := c.make(t, dir)
			a, err := inspectSpec(spec, c.platform)
			want := strings.ReplaceAll(c.want, "SPEC", spec)
			if d0 != (v1.Hash{}) {
				want = strings.ReplaceAll(want, "D0", d0.String())
			}
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("want success, got %v", err)
			case c.want == "":
				if c.check != nil {
					c.check(t, a)
				}
			case err == nil:
				t.Fatalf("want the error\n%s\ngot success", want)
			case err.Error() != want:
				t.Fatalf("error\n got %s\nwant %s", err, want)
			case strings.ContainsAny(err.Error(), "\n\r"):
				t.Fatalf("an error of more than one line: %q", err)
			}
		})
	}
	if n := CatalogueSize(); n < 40 {
		t.Errorf("the catalogue holds %d cases, fewer than 40", n)
	}
}

// CatalogueSize is the number of cases in this package's catalogue.
func CatalogueSize() int { return len(layoutCases()) + len(layerCases()) + len(archiveCases()) }

// tarOfFiles is the uncompressed tar of files.
func tarOfFiles(t *testing.T, files ...imagetest.File) []byte { return imagetest.Tar(t, files...) }

// layoutOf writes a raw layout of one image of the given layer blobs
// (media type mt) whose config lists diffIDs, and returns its dir and
// the first blob's digest.
func layoutOf(t *testing.T, dir string, mt types.MediaType, blobs [][]byte, diffIDs []v1.Hash) (string, v1.Hash) {
	l := imagetest.NewRawLayout(t, dir)
	l.Index(l.Image(blobs, mt, diffIDs))
	var d0 v1.Hash
	if len(blobs) > 0 {
		d0 = imagetest.Digest(blobs[0])
	}
	return dir, d0
}

// oneGzLayer is a layout of one gzip'd layer of files, its diff_id right.
func oneGzLayer(files ...imagetest.File) func(t *testing.T, dir string) (string, v1.Hash) {
	return func(t *testing.T, dir string) (string, v1.Hash) {
		tb := tarOfFiles(t, files...)
		return layoutOf(t, dir, types.OCILayer, [][]byte{imagetest.Gzip(t, tb)}, []v1.Hash{imagetest.Digest(tb)})
	}
}

func wantFiles(paths ...string) func(t *testing.T, a *layers.Analysis) {
	return func(t *testing.T, a *layers.Analysis) {
		t.Helper()
		have := map[string]bool{}
		for _, l := range a.Layers {
			for _, e := range l.Entries {
				have[e.Path] = true
			}
		}
		for _, p := range paths {
			if !have[p] {
				t.Errorf("no %q among the layers' entries", p)
			}
		}
	}
}

// mkfifo makes a FIFO at p.
func mkfifo(t *testing.T, p string) string {
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// appendImage is a layout of img written by go-containerregistry.
func appendImage(img v1.Image) func(t *testing.T, dir string) (string, v1.Hash) {
	return func(t *testing.T, dir string) (string, v1.Hash) {
		return imagetest.WriteLayout(t, dir, img), v1.Hash{}
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
