package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/source"
)

// The images of the hostile-input catalogue (hostileCatalogue): crafted
// OCI layouts, layers and docker save archives, each opened and analysed
// in-process as `buildscope inspect` does (source.Open, layers.Analyze),
// with its exact outcome: the one-line error naming the input and the
// fault ("SPEC" stands for the input's path, "D0" for the first layer
// blob's digest), or what the right result holds.
type catalogueCase struct {
	name     string
	make     func(t *testing.T, dir string) (spec string, d0 v1.Hash)
	platform string
	want     string                                 // the exact error, or "" for success
	check    func(t *testing.T, a *layers.Analysis) // what a success holds
}

// inspectSpec opens spec and analyses every layer, as inspect does.
func inspectSpec(spec, platform string) (*layers.Analysis, error) {
	img, err := source.Open(context.Background(), spec, source.Options{Platform: platform})
	if err != nil {
		return nil, err
	}
	defer img.Close()
	return layers.Analyze(context.Background(), img, layers.Options{})
}

// run goes in by inspect's door, in-process, and checks the outcome.
func (c catalogueCase) run(t *testing.T) {
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
}

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

var motd = []imagetest.File{imagetest.Dir("etc/"), imagetest.Text("etc/motd", "hello")}

// layoutCases are OCI layouts: their index, manifests, configs and blobs.
func layoutCases() []catalogueCase {
	return []catalogueCase{
		{name: "layout: a good one", make: oneGzLayer(motd...), check: wantFiles("etc", "etc/motd")},
		{name: "layout: an empty directory", make: func(t *testing.T, dir string) (string, v1.Hash) { return dir, v1.Hash{} },
			want: "SPEC is not an OCI layout (no oci-layout file): pass a layout directory, a docker save tar or an image reference"},
		{name: "layout: no index.json", make: func(t *testing.T, dir string) (string, v1.Hash) {
			imagetest.NewRawLayout(t, dir)
			return dir, v1.Hash{}
		}, want: "SPEC has no index.json: the layout is incomplete"},
		{name: "layout: index.json not JSON", make: func(t *testing.T, dir string) (string, v1.Hash) {
			imagetest.NewRawLayout(t, dir).IndexJSON([]byte("{\"manifests\": [\x1b]2;pwned\x07"))
			return dir, v1.Hash{}
		}, want: "reading index of SPEC: invalid character '\\x1b' looking for beginning of value"},
		{name: "layout: index.json a directory", make: func(t *testing.T, dir string) (string, v1.Hash) {
			imagetest.NewRawLayout(t, dir)
			os.Mkdir(filepath.Join(dir, "index.json"), 0o755)
			return dir, v1.Hash{}
		}, want: "index.json in SPEC is a directory, not a file: the layout is corrupt"},
		{name: "layout: an index of nothing", make: func(t *testing.T, dir string) (string, v1.Hash) {
			imagetest.NewRawLayout(t, dir).Index()
			return dir, v1.Hash{}
		}, want: "SPEC holds no image"},
		{name: "layout: no image for the platform", platform: "linux/s390x", make: func(t *testing.T, dir string) (string, v1.Hash) {
			var idx v1.ImageIndex = empty.Index
			for _, arch := range []string{"amd64", "arm64"} {
				idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: imagetest.Image(t, motd),
					Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
			}
			return imagetest.WriteIndexLayout(t, dir, idx), v1.Hash{}
		}, want: "SPEC has no image for linux/s390x; it has linux/amd64, linux/arm64: choose one with --platform"},
		{name: "layout: a malformed --platform", platform: "linux//", make: oneGzLayer(motd...), want: `invalid --platform "linux//": use os/arch[/variant]: os and architecture are both needed`},
		{name: "layout: the manifest blob missing", make: func(t *testing.T, dir string) (string, v1.Hash) {
			l := imagetest.NewRawLayout(t, dir)
			m := l.Image(nil, types.OCILayer, nil)
			l.Index(m)
			l.Remove(m.Digest)
			return dir, v1.Hash{}
		}, want: "manifest sha256:5f22328d8926b2735eb2344b9d141cfabd81bcf146d265ddd7b9ef71281b8ee3 is missing from SPEC: the layout is incomplete"},
		{name: "layout: a forged manifest", make: func(t *testing.T, dir string) (string, v1.Hash) {
			l := imagetest.NewRawLayout(t, dir)
			m := l.Image(nil, types.OCILayer, nil)
			l.Index(m)
			l.PutAs([]byte(`{"schemaVersion":2,"config":{"digest":"sha256:`+strings.Repeat("0", 64)+`","size":2},"layers":[]}`), m.Digest)
			return dir, m.Digest
		}, want: "manifest D0 in SPEC does not match its digest (its content hashes to sha256:3e43be2c9f786ba50610963d311de85e78127f1489ec3a44b6f4d9cbc0320931): the image is corrupt"},
		{name: "layout: the config blob missing", make: func(t *testing.T, dir string) (string, v1.Hash) {
			l := imagetest.NewRawLayout(t, dir)
			m := l.Image(nil, types.OCILayer, nil)
			l.Index(m)
			var man v1.Manifest
			b, _ := os.ReadFile(filepath.Join(dir, "blobs", "sha256", m.Digest.Hex))
			if err := json.Unmarshal(b, &man); err != nil {
				t.Fatal(err)
			}
			l.Remove(man.Config.Digest)
			return dir, man.Config.Digest
		}, want: "config D0 is missing from SPEC: the layout is incomplete"},
		{name: "layout: the layer blob missing", make: func(t *testing.T, dir string) (string, v1.Hash) {
			spec, d0 := oneGzLayer(motd...)(t, dir)
			imagetest.NewRawLayout(t, dir).Remove(d0)
			return spec, d0
		}, want: "reading layer 0 (D0): opening: layer blob D0 is missing from SPEC: the layout is incomplete"},
		{name: "layout: the layer blob cut short", make: func(t *testing.T, dir string) (string, v1.Hash) {
			spec, d0 := oneGzLayer(imagetest.Sized("big", 5000))(t, dir)
			p := filepath.Join(dir, "blobs", "sha256", d0.Hex)
			b, _ := os.ReadFile(p)
			os.WriteFile(p, b[:len(b)/2], 0o644)
			return spec, d0
		}, want: "reading layer 0 (D0): reading tar entry 1: layer blob D0 in SPEC is not 114 bytes as its descriptor says (read 57): the image is corrupt"},
		{name: "layout: more diff_ids than layers", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, motd...)
			return layoutOf(t, dir, types.OCILayer, [][]byte{imagetest.Gzip(t, tb)}, []v1.Hash{imagetest.Digest(tb), imagetest.Digest(tb)})
		}, want: "listing layers: SPEC has 1 layers but its config lists 2 diff_ids: the image is corrupt"},
		{name: "layout: a gzip layer of garbage", make: func(t *testing.T, dir string) (string, v1.Hash) {
			junk := bytes.Repeat([]byte("not gzip "), 100)
			return layoutOf(t, dir, types.OCILayer, [][]byte{junk}, []v1.Hash{imagetest.Digest(junk)})
		}, want: "reading layer 0 (D0): reading tar entry 1: archive/tar: invalid tar header"},
		{name: "layout: a truncated zstd layer", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, imagetest.Sized("big", 100000))
			z := imagetest.Zstd(t, tb)
			return layoutOf(t, dir, types.OCILayerZStd, [][]byte{z[:len(z)/2]}, []v1.Hash{imagetest.Digest(tb)})
		}, want: "reading layer 0 (D0): reading tar entry 1: unexpected EOF"},
		{name: "layout: an unknown layer media type", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, motd...)
			return layoutOf(t, dir, "application/vnd.example.blob", [][]byte{tb}, []v1.Hash{imagetest.Digest(tb)})
		}, want: `reading layer 0 (D0): unknown layer media type "application/vnd.example.blob": not a tar layer`},
		{name: "layout: an uncompressed layer", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, motd...)
			return layoutOf(t, dir, types.OCIUncompressedLayer, [][]byte{tb}, []v1.Hash{imagetest.Digest(tb)})
		}, check: wantFiles("etc/motd")},
		{name: "layout: an index of an index of an image", make: func(t *testing.T, dir string) (string, v1.Hash) {
			img := imagetest.Image(t, motd)
			inner := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})
			return imagetest.WriteIndexLayout(t, dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: inner})), v1.Hash{}
		}, check: wantFiles("etc/motd")},
		{name: "layout: an image with no layers", make: appendImage(empty.Image), check: func(t *testing.T, a *layers.Analysis) {
			if len(a.Layers) != 0 || a.SizeBytes != 0 {
				t.Errorf("%d layers, %d bytes", len(a.Layers), a.SizeBytes)
			}
		}},
	}
}

// layerCases are layers whose tars hold what a layer must not, or what is
// legal but unusual; each in a good layout.
func layerCases() []catalogueCase {
	deep := strings.Repeat("d/", 5000)
	atBound := strings.Repeat("d/", 2047) // "/" + 2047 × "d/" + "f": 4096 bytes
	return []catalogueCase{
		{name: "layer: a name with ..", make: oneGzLayer(imagetest.Text("a/../../etc/shadow", "x")), want: `reading layer 0 (D0): path "a/../../etc/shadow" has a ".." component`},
		{name: "layer: an absolute name with ..", make: oneGzLayer(imagetest.Text("/../etc/shadow", "x")), want: `reading layer 0 (D0): path "/../etc/shadow" has a ".." component`},
		{name: "layer: a hard link out of the image", make: oneGzLayer(imagetest.Hardlink("x", "../../etc/shadow")), want: `reading layer 0 (D0): hard link /x: path "../../etc/shadow" has a ".." component`},
		{name: "layer: a whiteout of its own directory", make: oneGzLayer(imagetest.Text("opt/.wh..", "")), want: `reading layer 0 (D0): whiteout "opt/.wh.." names no file`},
		{name: "layer: a whiteout of the directory above", make: oneGzLayer(imagetest.Text("opt/.wh...", "")), want: `reading layer 0 (D0): whiteout "opt/.wh..." has a ".." component`},
		{name: "layer: a whiteout naming nothing", make: oneGzLayer(imagetest.Text("opt/.wh.", "")), want: `reading layer 0 (D0): whiteout "opt/.wh." names no file`},
		{name: "layer: a truncated tar", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, imagetest.Sized("a", 4000), imagetest.Sized("b", 4000))[:1500]
			return layoutOf(t, dir, types.OCILayer, [][]byte{imagetest.Gzip(t, tb)}, []v1.Hash{imagetest.Digest(tb)})
		}, want: "reading layer 0 (D0): reading tar entry 2: unexpected EOF"},
		{name: "layer: a header with a bad checksum", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, motd...)
			copy(tb[148:156], "garbage!")
			return layoutOf(t, dir, types.OCILayer, [][]byte{imagetest.Gzip(t, tb)}, []v1.Hash{imagetest.Digest(tb)})
		}, want: "reading layer 0 (D0): reading tar entry 1: archive/tar: invalid tar header"},
		{name: "layer: names 5000 directories deep (over PATH_MAX)", make: oneGzLayer(imagetest.Text(deep+"f", "x")),
			want: "reading layer 0 (D0): member /d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/…: its path is 10002 bytes long, over the bound of 4096 (PATH_MAX: no container runtime can unpack it): refused"},
		{name: "layer: names 2047 directories deep (PATH_MAX, the bound)", make: oneGzLayer(imagetest.Text(atBound+"f", "x")), check: wantFiles(atBound + "f")},
		{name: "layer: a name of 256 bytes (over NAME_MAX)", make: oneGzLayer(imagetest.Text("etc/"+strings.Repeat("n", 256), "x")),
			want: "reading layer 0 (D0): path /etc/" + strings.Repeat("n", 56) + "…: a name in it is 256 bytes long, over the bound of 255 (NAME_MAX: no Linux filesystem holds it): refused"},
		{name: "layer: a name of 255 bytes (NAME_MAX, the bound)", make: oneGzLayer(imagetest.Text("etc/"+strings.Repeat("n", 255), "x")), check: wantFiles("etc", "etc/"+strings.Repeat("n", 255))},
		{name: "layer: a whiteout of a path over PATH_MAX", make: oneGzLayer(imagetest.Whiteout(deep + "f")),
			want: "reading layer 0 (D0): member /d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/…: its path is 10002 bytes long, over the bound of 4096 (PATH_MAX: no container runtime can unpack it): refused"},
		{name: "layer: a symlink to a target of 4096 bytes", make: oneGzLayer(imagetest.Symlink("l", strings.Repeat("t", 4096))),
			want: "reading layer 0 (D0): symlink /l: its target is 4096 bytes long, over the bound of 4096 (PATH_MAX, with its NUL): refused"},
		{name: "layer: a hard link to a path over PATH_MAX", make: oneGzLayer(imagetest.Hardlink("l", deep+"f")),
			want: "reading layer 0 (D0): hard link /l: its target is 10002 bytes long, over the bound of 4096 (PATH_MAX): refused"},
		{name: "layer: escape sequences and newlines in names", make: oneGzLayer(imagetest.Text("\x1b]2;pwned\x07\nfake row", "x")),
			check: wantFiles("\x1b]2;pwned\x07\nfake row")},
		{name: "layer: names that are not UTF-8", make: oneGzLayer(imagetest.Text("caf\xe9", "x")), check: wantFiles("caf\xe9")},
		{name: "layer: devices, FIFOs and a symlink loop", make: oneGzLayer(imagetest.Device("dev/null", tar.TypeChar, 1, 3),
			imagetest.Device("run/fifo", tar.TypeFifo, 0, 0), imagetest.Symlink("a", "b"), imagetest.Symlink("b", "a")),
			check: wantFiles("dev/null", "run/fifo", "a", "b")},
		{name: "layer: a gzip bomb of zeros", make: func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, imagetest.File{Name: "zeros", Type: tar.TypeReg, Body: string(make([]byte, 8<<20))})
			return layoutOf(t, dir, types.OCILayer, [][]byte{imagetest.Gzip(t, tb)}, []v1.Hash{imagetest.Digest(tb)})
		}, check: func(t *testing.T, a *layers.Analysis) {
			if a.SizeBytes != 8<<20 {
				t.Errorf("size %d, want the 8 MiB it holds", a.SizeBytes)
			}
		}},
		{name: "layer: an empty tar", make: func(t *testing.T, dir string) (string, v1.Hash) {
			return layoutOf(t, dir, types.OCILayer, [][]byte{imagetest.Gzip(t, nil)}, []v1.Hash{imagetest.Digest(nil)})
		}, check: func(t *testing.T, a *layers.Analysis) {
			if len(a.Layers) != 1 || a.Layers[0].Added != 0 {
				t.Errorf("%+v", a.Layers)
			}
		}},
	}
}

// archiveCases are docker save archives and what is not one.
func archiveCases() []catalogueCase {
	saveOf := func(manifest string, files ...imagetest.File) func(t *testing.T, dir string) (string, v1.Hash) {
		return func(t *testing.T, dir string) (string, v1.Hash) {
			tb := tarOfFiles(t, motd...)
			cfg := `{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":["` + imagetest.Digest(tb).String() + `"]}}`
			all := append([]imagetest.File{imagetest.Text("config.json", cfg), imagetest.Text("l0/layer.tar", string(tb))}, files...)
			if manifest != "" {
				all = append(all, imagetest.Text("manifest.json", manifest))
			}
			return imagetest.WriteFile(t, filepath.Join(dir, "save.tar"), all...), v1.Hash{}
		}
	}
	return []catalogueCase{
		{name: "archive: a good one", make: func(t *testing.T, dir string) (string, v1.Hash) {
			return imagetest.WriteDockerSave(t, dir, imagetest.Image(t, motd), "app:1"), v1.Hash{}
		}, check: wantFiles("etc/motd")},
		{name: "archive: a good one by hand", make: saveOf(`[{"Config":"config.json","RepoTags":["app:1"],"Layers":["l0/layer.tar"]}]`), check: wantFiles("etc/motd")},
		{name: "archive: no manifest.json", make: saveOf(""), want: "reading SPEC as a docker-archive tar (docker save): file manifest.json not found in tar"},
		{name: "archive: manifest.json not JSON", make: saveOf(`[{"Config":`), want: "reading SPEC as a docker-archive tar (docker save): unexpected EOF"},
		{name: "archive: a layer file that is not there", make: saveOf(`[{"Config":"config.json","Layers":["l0/layer.tar","l1/layer.tar"]}]`), want: "SPEC lists 2 layers in manifest.json but its config config.json has 1 diff_ids: the archive is corrupt"},
		{name: "archive: two images", make: saveOf(`[{"Config":"config.json","Layers":["l0/layer.tar"]},{"Config":"config.json","Layers":["l0/layer.tar"]}]`), want: "reading SPEC as a docker-archive tar (docker save): tarball must contain only a single image to be used with tarball.Image"},
		{name: "archive: the config missing", make: saveOf(`[{"Config":"nope.json","Layers":["l0/layer.tar"]}]`), want: "reading SPEC as a docker-archive tar (docker save): file nope.json not found in tar"},
		{name: "archive: a config name with escapes and a newline", make: saveOf(`[{"Config":"evil\u001b]2;x\u0007\r\nrow","Layers":["l0/layer.tar"]}]`),
			want: `reading SPEC as a docker-archive tar (docker save): file evil\e]2;x\x07\r\nrow not found in tar`},
		{name: "archive: not a tar", make: func(t *testing.T, dir string) (string, v1.Hash) {
			p := filepath.Join(dir, "image.tar")
			os.WriteFile(p, bytes.Repeat([]byte("junk"), 1000), 0o644)
			return p, v1.Hash{}
		}, want: "reading SPEC as a docker-archive tar (docker save): archive/tar: invalid tar header"},
		{name: "archive: an empty file", make: func(t *testing.T, dir string) (string, v1.Hash) {
			p := filepath.Join(dir, "image.tar")
			os.WriteFile(p, nil, 0o644)
			return p, v1.Hash{}
		}, want: "reading SPEC as a docker-archive tar (docker save): file manifest.json not found in tar"},
		{name: "archive: a FIFO", make: func(t *testing.T, dir string) (string, v1.Hash) {
			return mkfifo(t, filepath.Join(dir, "image.tar")), v1.Hash{}
		}, want: "SPEC is a named pipe (FIFO), not a file: IMAGE is an OCI layout directory, a docker save tar or an image reference"},
		{name: "archive: a symlink to /dev/zero", make: func(t *testing.T, dir string) (string, v1.Hash) {
			p := filepath.Join(dir, "image.tar")
			os.Symlink("/dev/zero", p)
			return p, v1.Hash{}
		}, want: "SPEC is a character device, not a file: IMAGE is an OCI layout directory, a docker save tar or an image reference"},
		{name: "archive: a directory named image.tar", make: func(t *testing.T, dir string) (string, v1.Hash) {
			p := filepath.Join(dir, "image.tar")
			os.Mkdir(p, 0o755)
			return p, v1.Hash{}
		}, want: "SPEC is not an OCI layout (no oci-layout file): pass a layout directory, a docker save tar or an image reference"},
		{name: "spec: build:nosuch", make: func(t *testing.T, dir string) (string, v1.Hash) { return "build:0f0f0f0f0f0f", v1.Hash{} }, want: "no build \"0f0f0f0f0f0f\": no builds recorded yet, run `buildscope build PATH` first (a build of a builder's own history, by buildx or buildctl, opens with --builder ADDR)"},
	}
}
