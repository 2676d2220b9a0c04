package results

import (
	"bytes"
	"context"
	"testing"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/errdefs"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/buildrun/state"
)

// Two exports of the same blob at once (two identical builds): the second
// writer waits for the first and then finds the blob written, instead of
// colliding in the ingest directory. Two stores stand for two processes:
// the flock is per open file, so they exclude each other as processes do.
func TestSameBlobExportedTwiceAtOnce(t *testing.T) {
	paths := state.Paths{State: t.TempDir()}
	a, err := Store(paths)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Store(paths)
	if err != nil {
		t.Fatal(err)
	}
	blob := bytes.Repeat([]byte("layer"), 1000)
	desc := ocispec.Descriptor{MediaType: ocispec.MediaTypeImageLayer, Digest: digest.FromBytes(blob), Size: int64(len(blob))}
	ctx := context.Background()
	wa, err := a.Writer(ctx, content.WithRef("layer-"+desc.Digest.String()), content.WithDescriptor(desc))
	if err != nil {
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() {
		wb, err := b.Writer(ctx, content.WithRef("layer-"+desc.Digest.String()), content.WithDescriptor(desc))
		if err == nil {
			wb.Close()
		}
		second <- err
	}()
	select {
	case err := <-second:
		t.Fatalf("the second writer did not wait for the first: %v", err)
	default:
	}
	if _, err := wa.Write(blob); err != nil {
		t.Fatal(err)
	}
	if err := wa.Commit(ctx, desc.Size, desc.Digest); err != nil {
		t.Fatal(err)
	}
	wa.Close()
	if err := <-second; !errdefs.IsAlreadyExists(err) {
		t.Errorf("second writer: %v, want the blob already there", err)
	}
	if got, err := content.ReadBlob(ctx, b, desc); err != nil || !bytes.Equal(got, blob) {
		t.Errorf("blob read back: %d bytes, %v", len(got), err)
	}
}
