package source

import (
	"context"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
)

// A multi-platform OCI layout: --platform picks one image, the default is
// the host's, and a platform that is not there is an error listing those
// that are.
func TestOpenMultiPlatformLayout(t *testing.T) {
	var idx v1.ImageIndex = empty.Index
	want := map[string]v1.Hash{}
	for _, p := range []v1.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64", Variant: "v8"}} {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		want[p.String()] = d
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	dir := t.TempDir()
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	for platform, expect := range map[string]string{"": "linux/amd64", "linux/arm64/v8": "linux/arm64/v8", "linux/amd64": "linux/amd64"} {
		img, err := Open(context.Background(), dir, Options{Platform: platform})
		if err != nil {
			t.Fatalf("--platform %q: %v", platform, err)
		}
		if d, _ := img.Digest(); d != want[expect] {
			t.Errorf("--platform %q opened %s, want the %s image", platform, d, expect)
		}
	}
	_, err := Open(context.Background(), dir, Options{Platform: "linux/s390x"})
	if err == nil || !strings.Contains(err.Error(), "no image for linux/s390x") || !strings.Contains(err.Error(), "linux/arm64/v8") {
		t.Errorf("missing platform: %v", err)
	}
	if _, err := Open(context.Background(), dir, Options{Platform: "linux//"}); err == nil {
		t.Error("a malformed --platform was accepted")
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(context.Background(), dir, Options{}); err == nil || !strings.Contains(err.Error(), "not an OCI layout") {
		t.Errorf("empty dir: %v", err)
	}
	if _, err := Open(context.Background(), "Not A Reference!", Options{}); err == nil {
		t.Error("a bad reference was accepted")
	}
}
