// Package bundle reads the bundle `docker buildx history export` writes
// (a gzip'd OCI archive of build records) into a temp directory laid out
// as a content store, within bounds: only the blobs its records
// reference are written, each within its declared size. It is the
// bundle's reader alone, with no BuildKit in it, so that it can be
// fuzzed at speed (FuzzUnpack); builderhistory decodes the records.
package bundle

import (
	"archive/tar"
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"

	units "github.com/docker/go-units"
	"github.com/klauspost/compress/gzip"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// bundleBlob is the name of a blob in an OCI archive.
var bundleBlob = regexp.MustCompile(`^blobs/sha256/[0-9a-f]{64}$`)

// Bounds on what a bundle may make an import read and write. A bundle is
// read twice: first its small entries (index.json, manifests, records)
// into memory, to learn which blobs its records reference and their
// declared sizes; then only those blobs are written, each within its
// declared size. Variables so that tests can lower them.
// bounds are what an import takes of a bundle.
type bounds struct {
	// smallEntry is the largest entry kept in memory on the first pass;
	// every JSON blob of a bundle (index, manifest, record) is one.
	smallEntry int64
	// smallTotal bounds the memory all small entries take.
	smallTotal int64
	// referenced bounds the blobs the records reference, all together:
	// what an import writes to the temp directory.
	referenced int64
	// inflated bounds the bytes the (gzip'd) archive inflates to.
	inflated int64
}

// importBounds are Unpack's bounds (tests take smaller ones).
var importBounds = bounds{smallEntry: 4 << 20, smallTotal: 64 << 20, referenced: 1 << 30, inflated: 2 << 30}

// Unpack extracts a bundle (an OCI archive, gzip'd as buildx writes
// it, or plain) into a temp directory laid out as a content store: its
// index.json and the blobs its records reference, each checked against
// its digest and declared size. Every other entry is skipped unwritten; a
// name that climbs out is never a blob. cleanup removes the directory.
func Unpack(file string) (dir string, cleanup func(), err error) {
	return unpack(archive{file, func() (io.ReadCloser, error) { return os.Open(file) }, importBounds})
}

// archive is a bundle by name, opened once for each pass.
type archive struct {
	name string
	open func() (io.ReadCloser, error)
	max  bounds
}

// unpack is Unpack of any archive (the fuzzer's are in memory).
func unpack(a archive) (dir string, cleanup func(), err error) {
	file := a.name
	small, large, err := scanBundle(a)
	if err != nil {
		return "", nil, err
	}
	index, ok := small["index.json"]
	if !ok {
		if _, big := large["index.json"]; big {
			return "", nil, fmt.Errorf("bundle %s: its index.json is over %s: not a `docker buildx history export` bundle", file, units.BytesSize(float64(a.max.smallEntry)))
		}
		return "", nil, fmt.Errorf("bundle %s has no index.json: make it with `docker buildx history export`", file)
	}
	refs, err := referencedBlobs(index, small, a.max.smallEntry)
	if err != nil {
		return "", nil, fmt.Errorf("reading bundle %s: %w", file, err)
	}
	var total int64
	for _, size := range refs {
		total += size
	}
	if total > a.max.referenced {
		return "", nil, fmt.Errorf("bundle %s: its records reference %s of blobs, more than the %s an import takes", file, units.BytesSize(float64(total)), units.BytesSize(float64(a.max.referenced)))
	}
	dir, err = os.MkdirTemp("", "buildscope-import-")
	if err != nil {
		return "", nil, fmt.Errorf("unpacking bundle: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	if err := writeBundleFiles(a, dir, index, small, large, refs); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("unpacking bundle %s: %w", file, err)
	}
	return dir, cleanup, nil
}

// openArchive opens the bundle's tar stream, inflating a gzip'd one,
// bounded to its bounds' inflated bytes.
func openArchive(a archive) (*tar.Reader, *boundedReader, func(), error) {
	file := a.name
	f, err := a.open()
	if err != nil {
		return nil, nil, nil, fmt.Errorf("opening bundle: %w", err)
	}
	br := bufio.NewReader(f)
	var r io.Reader = br
	closeAll := func() { f.Close() }
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, nil, fmt.Errorf("reading bundle %s: %w", file, err)
		}
		r = gz
		closeAll = func() { gz.Close(); f.Close() }
	}
	b := &boundedReader{r: r, left: a.max.inflated}
	return tar.NewReader(b), b, closeAll, nil
}

// errInflated is the bounded reader's error past the inflated bound.
var errInflated = errors.New("inflated past the bound")

type boundedReader struct {
	r    io.Reader
	left int64
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errInflated
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}

// archiveError says why the tar stream stopped.
func archiveError(a archive, err error) error {
	file := a.name
	if errors.Is(err, errInflated) {
		return fmt.Errorf("bundle %s inflates to more than %s, more than a `docker buildx history export` bundle an import takes: refused", file, units.BytesSize(float64(a.max.inflated)))
	}
	return fmt.Errorf("bundle %s is not a `docker buildx history export` bundle (a gzip'd OCI archive): %w", file, err)
}

// bundleEntry says whether a tar entry can be part of a bundle, and its
// clean name.
func bundleEntry(hdr *tar.Header) (string, bool) {
	name := path.Clean(hdr.Name)
	return name, hdr.Typeflag == tar.TypeReg && (name == "index.json" || bundleBlob.MatchString(name))
}

// scanBundle reads the archive once: the entries up to the small-entry bound
// into memory (blobs checked against their digests), and the size of
// the larger ones.
func scanBundle(a archive) (small map[string][]byte, large map[string]int64, err error) {
	file := a.name
	tr, _, closeAll, err := openArchive(a)
	if err != nil {
		return nil, nil, err
	}
	defer closeAll()
	small, large = map[string][]byte{}, map[string]int64{}
	var held int64
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return small, large, nil
		}
		if err != nil {
			return nil, nil, archiveError(a, err)
		}
		name, ok := bundleEntry(hdr)
		if !ok {
			continue
		}
		if hdr.Size > a.max.smallEntry {
			large[name] = hdr.Size
			continue
		}
		if held += hdr.Size; held > a.max.smallTotal {
			return nil, nil, fmt.Errorf("bundle %s holds more than %s of small entries, more than a `docker buildx history export` bundle: refused", file, units.BytesSize(float64(a.max.smallTotal)))
		}
		data, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
		if err != nil {
			return nil, nil, archiveError(a, err)
		}
		if want := path.Base(name); name != "index.json" && digest.FromBytes(data).Encoded() != want {
			return nil, nil, fmt.Errorf("bundle %s: blob %s holds content of digest %s: the bundle is damaged", file, want, digest.FromBytes(data))
		}
		small[name] = data
	}
}

// referencedBlobs walks the bundle from index.json (a record's manifest,
// or an index of them) to every blob a record references, with its
// declared size: the manifests, their configs (the records) and layers
// (logs, traces, attestations, results).
func referencedBlobs(index []byte, small map[string][]byte, maxSmallEntry int64) (map[digest.Digest]int64, error) {
	var root ocispecs.Index
	if err := json.Unmarshal(index, &root); err != nil {
		return nil, fmt.Errorf("decoding index.json: %w", err)
	}
	refs := map[digest.Digest]int64{}
	add := func(d ocispecs.Descriptor) error {
		if d.Digest.Validate() != nil || d.Digest.Algorithm() != digest.SHA256 || d.Size < 0 {
			return fmt.Errorf("a descriptor names %q of %d bytes: not a sha256 blob", d.Digest, d.Size)
		}
		if old, ok := refs[d.Digest]; ok && old != d.Size {
			return fmt.Errorf("blob %s is declared both %d and %d bytes long", d.Digest, old, d.Size)
		}
		refs[d.Digest] = d.Size
		return nil
	}
	smallJSON := func(d ocispecs.Descriptor, v any) error {
		if err := add(d); err != nil {
			return err
		}
		if d.Size > maxSmallEntry {
			return fmt.Errorf("blob %s is %d bytes, more than a record's JSON can be", d.Digest, d.Size)
		}
		dt, ok := small["blobs/sha256/"+d.Digest.Encoded()]
		if !ok {
			return fmt.Errorf("blob %s is missing from the bundle", d.Digest)
		}
		if int64(len(dt)) != d.Size {
			return fmt.Errorf("blob %s is %d bytes, but declared %d", d.Digest, len(dt), d.Size)
		}
		if err := json.Unmarshal(dt, v); err != nil {
			return fmt.Errorf("decoding blob %s: %w", d.Digest, err)
		}
		return nil
	}
	if len(root.Manifests) != 1 {
		return nil, fmt.Errorf("index.json lists %d manifests, want 1 (a record or an index of records)", len(root.Manifests))
	}
	manifests := root.Manifests
	if root.Manifests[0].MediaType == ocispecs.MediaTypeImageIndex {
		var idx ocispecs.Index
		if err := smallJSON(root.Manifests[0], &idx); err != nil {
			return nil, err
		}
		manifests = idx.Manifests
	}
	for _, md := range manifests {
		var mf ocispecs.Manifest
		if err := smallJSON(md, &mf); err != nil {
			return nil, err
		}
		for _, d := range append([]ocispecs.Descriptor{mf.Config}, mf.Layers...) {
			if err := add(d); err != nil {
				return nil, err
			}
		}
	}
	return refs, nil
}

// writeBundleFiles writes index.json and the referenced blobs into dir:
// the small ones from memory, the large ones read again from the
// archive, each within its declared size and checked against its digest.
func writeBundleFiles(a archive, dir string, index []byte, small map[string][]byte, large map[string]int64, refs map[digest.Digest]int64) error {
	if err := os.WriteFile(filepath.Join(dir, "index.json"), index, 0o600); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "blobs", "sha256"), 0o700); err != nil {
		return err
	}
	second := false
	for d, size := range refs {
		name := "blobs/sha256/" + d.Encoded()
		if dt, ok := small[name]; ok {
			if int64(len(dt)) != size {
				return fmt.Errorf("blob %s is %d bytes, but declared %d", d, len(dt), size)
			}
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), dt, 0o600); err != nil {
				return err
			}
		} else if got, ok := large[name]; ok {
			if got != size {
				return fmt.Errorf("blob %s is %d bytes, but declared %d", d, got, size)
			}
			second = true
		}
	}
	if !second {
		return nil
	}
	tr, _, closeAll, err := openArchive(a)
	if err != nil {
		return err
	}
	defer closeAll()
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return archiveError(a, err)
		}
		name, ok := bundleEntry(hdr)
		if !ok || hdr.Size <= a.max.smallEntry {
			continue
		}
		d := digest.NewDigestFromEncoded(digest.SHA256, path.Base(name))
		if size, ok := refs[d]; ok && size == hdr.Size {
			if err := extractBlob(tr, filepath.Join(dir, filepath.FromSlash(name)), d, size); err != nil {
				return err
			}
		}
	}
}

// extractBlob writes one blob of its declared size, checking its digest
// as it goes.
func extractBlob(r io.Reader, dest string, d digest.Digest, size int64) error {
	out, err := os.OpenFile(dest, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	dg := digest.SHA256.Digester()
	n, err := io.Copy(io.MultiWriter(out, dg.Hash()), io.LimitReader(r, size))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("blob %s: %w", d, err)
	}
	if n != size || dg.Digest() != d {
		return fmt.Errorf("blob %s holds content of digest %s: the bundle is damaged", d.Encoded(), dg.Digest())
	}
	return nil
}
