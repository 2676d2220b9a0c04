package source

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/fake"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// Crafted inputs are built here, byte by byte where a library would
// refuse to write them.

func digestOf(b []byte) v1.Hash {
	s := sha256.Sum256(b)
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(s[:])}
}

// tarOf is a layer tar holding the files given.
func tarOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	return buf.Bytes()
}

// gz stores b in gzip without compressing it, so blobs of the same
// length have the same size.
func gz(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.NoCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// rawLayout is imagetest.RawLayout in a temp dir, with the short names
// these tests use.
type rawLayout struct {
	*imagetest.RawLayout
	dir string
}

func newRawLayout(t *testing.T) *rawLayout {
	l := imagetest.NewRawLayout(t, t.TempDir())
	return &rawLayout{RawLayout: l, dir: l.Dir}
}

// put stores data under digest h (its own digest when h is zero).
func (l *rawLayout) put(data []byte, h v1.Hash) v1.Descriptor {
	if h == (v1.Hash{}) {
		return l.Put(data)
	}
	return l.PutAs(data, h)
}

func (l *rawLayout) json(v any) []byte { return l.JSON(v) }

// image stores an image of the given gzip'd layers, its config naming
// diffIDs, and returns its manifest's descriptor.
func (l *rawLayout) image(layers [][]byte, diffIDs []v1.Hash) v1.Descriptor {
	return l.Image(layers, types.OCILayer, diffIDs)
}

func (l *rawLayout) index(ds ...v1.Descriptor) { l.Index(ds...) }

// readLayers reads every layer's tar to its end, as the layer reader does.
func readLayers(img v1.Image) error {
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func wantError(t *testing.T, what string, err error, want string) {
	t.Helper()
	if err == nil || err.Error() != want {
		t.Errorf("%s:\n got %v\nwant %s", what, err, want)
	}
}

// An index blob that names itself is refused by its digest, not followed
// until the stack overflows.
func TestLayoutIndexNamingItself(t *testing.T) {
	l := newRawLayout(t)
	self := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
	body := l.json(v1.IndexManifest{SchemaVersion: 2, Manifests: []v1.Descriptor{{MediaType: types.OCIImageIndex, Digest: self, Size: 10}}})
	l.put(body, self)
	l.index(v1.Descriptor{MediaType: types.OCIImageIndex, Digest: self, Size: int64(len(body))})
	_, err := Open(context.Background(), l.dir, Options{})
	wantError(t, "self-naming index", err, fmt.Sprintf("index %s in %s does not match its digest (its content hashes to %s): the image is corrupt", self, l.dir, digestOf(body)))
}

// An index whose parsed manifests name itself (a source whose raw bytes
// and content disagree) is a cycle, refused.
func TestIndexCycle(t *testing.T) {
	raw := []byte("an index")
	h := digestOf(raw)
	idx := &fake.FakeImageIndex{}
	idx.RawManifestReturns(raw, nil)
	idx.IndexManifestReturns(&v1.IndexManifest{Manifests: []v1.Descriptor{{MediaType: types.OCIImageIndex, Digest: h}}}, nil)
	idx.ImageIndexReturns(idx, nil)
	_, err := SelectPlatform(idx, v1.Platform{OS: "linux", Architecture: "amd64"}, "crafted")
	wantError(t, "cycle", err, fmt.Sprintf("index %s in crafted names itself (a cycle of 1 indexes): the layout is corrupt", h))
}

// Indexes nested deeper than maxIndexDepth are refused; at the limit
// they open.
func TestIndexDepth(t *testing.T) {
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	nest := func(n int) (string, v1.Hash) {
		var idx v1.ImageIndex = mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})
		var innermost v1.Hash
		for i := 1; i < n; i++ {
			if i == n-1-maxIndexDepth {
				innermost, _ = idx.Digest()
			}
			idx = mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: idx})
		}
		dir := t.TempDir()
		if _, err := layout.Write(dir, idx); err != nil {
			t.Fatal(err)
		}
		return dir, innermost
	}
	// layout.Write puts the outermost index's children in index.json: n
	// nested indexes are n-1 levels below it.
	dir, _ := nest(maxIndexDepth + 1)
	if _, err := Open(context.Background(), dir, Options{}); err != nil {
		t.Errorf("%d nested indexes: %v", maxIndexDepth, err)
	}
	dir, at := nest(maxIndexDepth + 2)
	_, err = Open(context.Background(), dir, Options{})
	wantError(t, "too deep", err, fmt.Sprintf("%s nests indexes more than %d deep (at %s): refused", dir, maxIndexDepth, at))
}

// A layer blob replaced by another of the same size is refused as it is
// read, naming the blob; one of another size too.
func TestLayoutLayerBlobMismatch(t *testing.T) {
	a, b := gz(tarOf(t, map[string]string{"a": "aaaa"})), gz(tarOf(t, map[string]string{"a": "bbbb"}))
	if len(a) != len(b) {
		t.Fatalf("crafted blobs differ in size: %d, %d", len(a), len(b))
	}
	l := newRawLayout(t)
	m := l.image([][]byte{a}, []v1.Hash{digestOf(tarOf(t, map[string]string{"a": "aaaa"}))})
	l.index(m)
	claimed := digestOf(a)
	l.put(b, claimed) // the blob stored under a's digest holds b
	img, err := Open(context.Background(), l.dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "swapped blob", readLayers(img), fmt.Sprintf("layer blob %s in %s does not match its digest (its content hashes to %s): the image is corrupt", claimed, l.dir, digestOf(b)))

	l.put(gz(tarOf(t, map[string]string{"a": strings.Repeat("x", 4096)})), claimed)
	img, _ = Open(context.Background(), l.dir, Options{})
	ls, _ := img.Layers()
	rc, _ := ls[0].Compressed()
	_, err = io.Copy(io.Discard, rc)
	if err == nil || !strings.HasPrefix(err.Error(), fmt.Sprintf("layer blob %s in %s is not %d bytes as its descriptor says (read ", claimed, l.dir, len(a))) {
		t.Errorf("longer blob: %v", err)
	}
}

// A config whose diff_id does not match the layer's tar is refused,
// naming the layer.
func TestLayoutWrongDiffID(t *testing.T) {
	layer := gz(tarOf(t, map[string]string{"f": "data"}))
	zero := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	l := newRawLayout(t)
	l.index(l.image([][]byte{layer}, []v1.Hash{zero}))
	img, err := Open(context.Background(), l.dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "wrong diff_id", readLayers(img), fmt.Sprintf("layer 0 (%s) of %s does not match its diff_id %s from the image config (its tar hashes to %s): the image is corrupt",
		digestOf(layer), l.dir, zero, digestOf(tarOf(t, map[string]string{"f": "data"}))))

	// a config with fewer diff_ids than the manifest has layers
	l = newRawLayout(t)
	l.index(l.image([][]byte{layer, gz(tarOf(t, map[string]string{"g": "more"}))}, []v1.Hash{digestOf(tarOf(t, map[string]string{"f": "data"}))}))
	img, err = Open(context.Background(), l.dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = img.Layers()
	wantError(t, "fewer diff_ids", err, l.dir+" has 2 layers but its config lists 1 diff_ids: the image is corrupt")
}

// A manifest or config blob that does not match its digest is refused
// when the image is opened.
func TestLayoutConfigMismatch(t *testing.T) {
	layer := tarOf(t, map[string]string{"f": "data"})
	l := newRawLayout(t)
	m := l.image([][]byte{gz(layer)}, []v1.Hash{digestOf(layer)})
	l.index(m)
	mb, _ := os.ReadFile(filepath.Join(l.dir, "blobs", "sha256", m.Digest.Hex))
	var man v1.Manifest
	json.Unmarshal(mb, &man)
	forged := l.json(v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{digestOf(layer)}}, Author: "someone else"})
	l.put(forged, man.Config.Digest)
	_, err := Open(context.Background(), l.dir, Options{})
	wantError(t, "forged config", err, fmt.Sprintf("config %s in %s does not match its digest (its content hashes to %s): the image is corrupt", man.Config.Digest, l.dir, digestOf(forged)))
}

// dockerSave writes a docker save archive of uncompressed layers.
func dockerSave(t *testing.T, layers [][]byte, diffIDs []v1.Hash) string {
	t.Helper()
	cfg, _ := json.Marshal(v1.ConfigFile{OS: "linux", Architecture: "amd64", RootFS: v1.RootFS{Type: "layers", DiffIDs: diffIDs}})
	files := map[string][]byte{"config.json": cfg}
	var names []string
	for i, l := range layers {
		n := fmt.Sprintf("l%d/layer.tar", i)
		files[n] = l
		names = append(names, n)
	}
	files["manifest.json"], _ = json.Marshal([]map[string]any{{"Config": "config.json", "RepoTags": nil, "Layers": names}})
	p := filepath.Join(t.TempDir(), "save.tar")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(f)
	for n, b := range files {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg})
		tw.Write(b)
	}
	tw.Close()
	f.Close()
	return p
}

// docker save archives: a wrong diff_id names the layer; fewer diff_ids
// than layers is refused rather than a layer silently dropped.
func TestDockerSaveIntegrity(t *testing.T) {
	l0, l1 := tarOf(t, map[string]string{"a": "1"}), tarOf(t, map[string]string{"b": "2"})
	good := dockerSave(t, [][]byte{l0, l1}, []v1.Hash{digestOf(l0), digestOf(l1)})
	img, err := Open(context.Background(), good, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := readLayers(img); err != nil {
		t.Errorf("a good archive: %v", err)
	}
	if ls, _ := img.Layers(); !storedUncompressed(ls[0]) {
		t.Errorf("the verified layer lost its type %T: readers would compress it to learn its digest", ls[0])
	}

	zero := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	wrong := dockerSave(t, [][]byte{l0, l1}, []v1.Hash{digestOf(l0), zero})
	img, err = Open(context.Background(), wrong, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, "wrong diff_id", readLayers(img), fmt.Sprintf("layer 1 of %s does not match its diff_id %s from the image config (its tar hashes to %s): the image is corrupt", wrong, zero, digestOf(l1)))

	short := dockerSave(t, [][]byte{l0, l1}, []v1.Hash{digestOf(l0)})
	_, err = Open(context.Background(), short, Options{})
	wantError(t, "fewer diff_ids", err, short+" lists 2 layers in manifest.json but its config config.json has 1 diff_ids: the archive is corrupt")
}

// A FIFO or a device given as IMAGE is refused before it is opened
// (opening a FIFO blocks until a writer comes).
func TestOpenNonRegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "image.tar")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), fifo, Options{})
	wantError(t, "FIFO", err, fifo+" is a named pipe (FIFO), not a file: IMAGE is an OCI layout directory, a docker save tar or an image reference")
	_, err = Open(context.Background(), "/dev/null", Options{})
	wantError(t, "device", err, "/dev/null is a character device, not a file: IMAGE is an OCI layout directory, a docker save tar or an image reference")

	l := newRawLayout(t)
	os.Remove(filepath.Join(l.dir, "oci-layout"))
	syscall.Mkfifo(filepath.Join(l.dir, "oci-layout"), 0o600)
	_, err = Open(context.Background(), l.dir, Options{})
	wantError(t, "FIFO in a layout", err, "oci-layout in "+l.dir+" is a named pipe (FIFO), not a file: the layout is corrupt")
}

// A path that does not exist is said not to exist, never looked up as an
// image on Docker Hub.
func TestOpenMistypedPath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Mkdir("out", 0o755)
	os.WriteFile("file", nil, 0o644)
	const hint = ": IMAGE is a path to an OCI layout or a docker save tar, or an image reference such as registry.example/app:tag"
	for spec, problem := range map[string]string{
		"./no/such/layout": "does not exist",
		"/no/such/layout":  "does not exist",
		"../nope":          "does not exist",
		"image.tar":        "does not exist",
		"out/layot":        "does not exist",
		"file/x":           "does not exist (a part of it is a file, not a directory)",
	} {
		_, err := Open(context.Background(), spec, Options{})
		wantError(t, spec, err, spec+" "+problem+hint)
	}
}
