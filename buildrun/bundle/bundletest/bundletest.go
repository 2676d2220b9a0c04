// Package bundletest makes the `docker buildx history export` bundles
// tests need: the entries of a one-record bundle as buildx lays them out,
// and the gzip'd (or plain) tar of any entries, written to a temp file.
package bundletest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// RecordMediaType is the media type of a record in a bundle.
const RecordMediaType = "application/vnd.buildkit.historyrecord.v0"

// Entries lays out the entries of a one-record bundle as buildx writes
// it: index.json naming the record's manifest, whose config is record
// (the record as the caller encodes it) and whose layers are the given
// blobs.
func Entries(t testing.TB, record []byte, layers ...[]byte) map[string][]byte {
	t.Helper()
	entries := map[string][]byte{}
	blob := func(mt string, data []byte) ocispecs.Descriptor {
		entries[BlobName(data)] = data
		return ocispecs.Descriptor{MediaType: mt, Digest: digest.FromBytes(data), Size: int64(len(data))}
	}
	mf := ocispecs.Manifest{MediaType: ocispecs.MediaTypeImageManifest, Config: blob(RecordMediaType, record)}
	mf.SchemaVersion = 2
	for _, l := range layers {
		mf.Layers = append(mf.Layers, blob("application/octet-stream", l))
	}
	mfData, err := json.Marshal(mf)
	if err != nil {
		t.Fatal(err)
	}
	idx := ocispecs.Index{Manifests: []ocispecs.Descriptor{blob(ocispecs.MediaTypeImageManifest, mfData)}}
	idx.SchemaVersion = 2
	if entries["index.json"], err = json.Marshal(idx); err != nil {
		t.Fatal(err)
	}
	return entries
}

// BlobName is where a bundle holds a blob of content data.
func BlobName(data []byte) string {
	sum := sha256.Sum256(data)
	return "blobs/sha256/" + hex.EncodeToString(sum[:])
}

// Write writes a gzip'd tar of the given entries to a temp file of t and
// returns its path.
func Write(t testing.TB, entries map[string][]byte) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "b.dockerbuild")
	if err := os.WriteFile(f, GzipTar(entries), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

// GzipTar is a gzip'd tar of the given entries.
func GzipTar(entries map[string][]byte) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(Tar(entries))
	gz.Close()
	return buf.Bytes()
}

// Tar is a tar of the given entries.
func Tar(entries map[string][]byte) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range entries {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	tw.Close()
	return buf.Bytes()
}
