package layers

import (
	"bytes"
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// Every kind of bad layer gives an error naming the layer, never a panic.
func TestBadLayersNameTheLayer(t *testing.T) {
	good := imagetest.Tar(t, imagetest.Sized("ok", 10))
	big := imagetest.Tar(t, imagetest.Sized("a", 4000), imagetest.Sized("b", 4000))
	brokenGzip := imagetest.Gzip(t, big)
	brokenGzip = append(brokenGzip[:len(brokenGzip)/2], bytes.Repeat([]byte{0xff}, 64)...)
	brokenZstd := imagetest.Zstd(t, big)
	brokenZstd = append(brokenZstd[:len(brokenZstd)/2], bytes.Repeat([]byte{0xff}, 64)...)
	corrupt := append([]byte{}, big...)
	copy(corrupt[148:156], "garbage!") // the first header's checksum field
	for _, c := range []struct {
		name  string
		layer v1.Layer
		want  string
	}{
		{"truncated tar", imagetest.LayerOf(t, big[:700]), "unexpected EOF"},
		{"corrupt header", imagetest.LayerOf(t, corrupt), "reading tar entry 1"},
		{"broken gzip", imagetest.Blob(t, brokenGzip, types.DockerLayer), "layer 1"},
		{"truncated gzip", imagetest.Blob(t, imagetest.Gzip(t, big)[:100], types.OCILayer), "unexpected EOF"},
		{"broken zstd", imagetest.Blob(t, brokenZstd, types.OCILayerZStd), "layer 1"},
		{"unknown media type", static.NewLayer(good, "application/vnd.example.blob"), `unknown layer media type "application/vnd.example.blob"`},
		{"dot-dot path", imagetest.LayerOf(t, imagetest.Tar(t, imagetest.Sized("a/../../etc/shadow", 1))), `path "a/../../etc/shadow" has a ".." component`},
		{"dot-dot hard link", imagetest.LayerOf(t, imagetest.Tar(t, imagetest.Hardlink("x", "../../etc/shadow"))), `hard link /x`},
	} {
		t.Run(c.name, func(t *testing.T) {
			img := imagetest.ImageOf(t, mutate.Addendum{Layer: imagetest.LayerOf(t, good)}, mutate.Addendum{Layer: c.layer})
			d, _ := c.layer.Digest()
			_, err := Analyze(context.Background(), img, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Log(msg)
			if !strings.HasPrefix(msg, "reading layer 1 ("+d.String()+"): ") || !strings.Contains(msg, c.want) {
				t.Errorf("error %q: want it to name layer 1 (%s) and say %q", msg, d, c.want)
			}
		})
	}
}

func TestCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Analyze(ctx, imagetest.Image(t, []imagetest.File{imagetest.Sized("a", 1)}), Options{})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("err %v", err)
	}
}
