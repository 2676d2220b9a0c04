package source

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// A docker save archive of compressed layers opens without hashing its
// blobs: the layers' diff_ids and sizes come from the config and the
// tar's headers, digests when asked. They are go-containerregistry's
// digests, and the layers read the same bytes.
func TestArchiveOfCompressedLayersOpensLazily(t *testing.T) {
	ref, got := savedBothWays(t,
		[]imagetest.File{imagetest.Text("a", "one"), imagetest.Sized("big1", 2<<20)},
		[]imagetest.File{imagetest.Sized("big2", 2<<20)},
	)
	wantLayers, err := ref.Layers() // hashes every blob for its manifest
	if err != nil {
		t.Fatal(err)
	}
	ls, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != len(wantLayers) {
		t.Fatalf("%d layers, want %d", len(ls), len(wantLayers))
	}
	for i, l := range ls {
		al, ok := l.(*archiveLayer)
		if !ok {
			t.Fatalf("layer %d is a %T: the archive was opened by go-containerregistry's manifest", i, l)
		}
		wantSize, _ := wantLayers[i].Size()
		wantDiff, _ := wantLayers[i].DiffID()
		if size, _ := l.Size(); size != wantSize {
			t.Errorf("layer %d: size %d, want %d", i, size, wantSize)
		}
		if d, _ := l.DiffID(); d != wantDiff {
			t.Errorf("layer %d: diff_id %s, want %s", i, d, wantDiff)
		}
		if al.digest.Hex != "" {
			t.Errorf("layer %d was hashed before its digest was asked for", i)
		}
		wantDigest, _ := wantLayers[i].Digest()
		if d, err := l.Digest(); err != nil || d != wantDigest {
			t.Errorf("layer %d: digest %s (%v), want %s", i, d, err, wantDigest)
		}
		if !bytes.Equal(imagetest.ReadAll(t, l.Uncompressed), imagetest.ReadAll(t, wantLayers[i].Uncompressed)) {
			t.Errorf("layer %d reads other bytes than go-containerregistry's", i)
		}
	}
	if l, err := got.LayerByDiffID(mustDiffID(t, wantLayers[1])); err != nil || l != ls[1] {
		t.Errorf("LayerByDiffID = %v, %v", l, err)
	}
	// the manifest it makes from its layers' digests is go-containerregistry's,
	// byte for byte: the image's digest is the same
	wantRaw, err := ref.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := got.RawManifest()
	if err != nil || !bytes.Equal(raw, wantRaw) {
		t.Errorf("manifest (%v):\n%s\nwant go-containerregistry's:\n%s", err, raw, wantRaw)
	}
	wantDigest, _ := ref.Digest()
	if d, err := got.Digest(); err != nil || d != wantDigest {
		t.Errorf("digest %s (%v), want %s", d, err, wantDigest)
	}
}

// A compressed layer whose tar does not hash to the config's diff_id is
// refused as it is read, naming the layer, its member and the diff_id;
// fewer diff_ids than layers is refused at open, as for plain layers.
func TestArchiveLayerCheckedAgainstItsDiffID(t *testing.T) {
	l0, l1 := tarOf(t, map[string]string{"a": "1"}), tarOf(t, map[string]string{"b": "2"})
	gz := [][]byte{imagetest.Gzip(t, l0), imagetest.Gzip(t, l1)}
	zero := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	wrong := dockerSave(t, gz, []v1.Hash{digestOf(l0), zero})
	img, err := Open(context.Background(), wrong, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ls, _ := img.Layers(); len(ls) != 2 {
		t.Fatalf("layers: %v", ls)
	} else if _, ok := ls[1].(*archiveLayer); !ok {
		t.Fatalf("layer 1 is a %T, not read lazily", ls[1])
	}
	wantError(t, "wrong diff_id", readLayers(img), fmt.Sprintf("layer 1 (l1/layer.tar) of %s does not match its diff_id %s from the image config (its tar hashes to %s): the image is corrupt", wrong, zero, digestOf(l1)))

	short := dockerSave(t, gz, []v1.Hash{digestOf(l0)})
	_, err = Open(context.Background(), short, Options{})
	wantError(t, "fewer diff_ids", err, short+" lists 2 layers in manifest.json but its config config.json has 1 diff_ids: the archive is corrupt")
}

func mustDiffID(t *testing.T, l interface{ DiffID() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	d, err := l.DiffID()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A layer read whole has its digest from that read (go-containerregistry's
// digest, without a second pass over the blob); one read in part has
// none, and hashes the blob when asked.
func TestArchiveLayerDigestFromItsRead(t *testing.T) {
	ref, got := savedBothWays(t, []imagetest.File{imagetest.Sized("big", 1<<20)}, []imagetest.File{imagetest.Text("b", "two")})
	want, err := ref.Layers()
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := got.Layers()
	imagetest.ReadAll(t, ls[0].Uncompressed) // whole
	rc, err := ls[1].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	rc.Read(make([]byte, 10)) // in part
	rc.Close()
	first := ls[0].(*archiveLayer)
	wantFirst, _ := want[0].Digest()
	if first.digest != wantFirst {
		t.Errorf("after a whole read: digest %q, want %s", first.digest, wantFirst)
	}
	if second := ls[1].(*archiveLayer); second.digest.Hex != "" {
		t.Errorf("a layer read in part has digest %s", second.digest)
	}
	wantSecond, _ := want[1].Digest()
	if d, err := ls[1].Digest(); err != nil || d != wantSecond {
		t.Errorf("digest asked for: %s (%v), want %s", d, err, wantSecond)
	}
}

// savedBothWays writes an image of the given layers as a docker save
// archive and opens it with go-containerregistry (the reference) and
// with Open.
func savedBothWays(t *testing.T, layers ...[]imagetest.File) (v1.Image, *Image) {
	t.Helper()
	spec := imagetest.WriteDockerSave(t, t.TempDir(), imagetest.Image(t, layers...), "example.test/app:1")
	ref, err := tarball.ImageFromPath(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Open(context.Background(), spec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { got.Close() })
	return ref, got
}
