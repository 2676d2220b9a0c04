package results

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/model"
)

// The results layout keeps no index per build (layout.go), so what a
// removed build's image held is found by reachability: a blob is kept
// while a record of the history names an image (manifest or index) whose
// closure holds it, or the layout's index.json names it. Builds hold the
// layout's lock shared from their start until their record is saved;
// a sweep takes it exclusively, without waiting, so it never removes a
// blob a running build has just written or found already there.

// Freed is what a sweep of the results store removed.
type Freed struct {
	Blobs int   `json:"freed_blobs"`
	Bytes int64 `json:"freed_bytes"`
	// Skipped says why nothing was swept ("": it was).
	Skipped string `json:"sweep_skipped,omitempty"`
}

// Text is the sweep as `history rm` and `history prune` print it.
func (f *Freed) Text() string {
	if f.Skipped != "" {
		return "the results store was not swept: " + f.Skipped + "\n"
	}
	if f.Blobs == 0 {
		return "the results store holds no blob that no record uses\n"
	}
	return fmt.Sprintf("freed %s (%s) of the results store that no build record uses\n", model.Count(f.Blobs, "blob"), model.HumanSize(f.Bytes))
}

// Lock takes the lock of the results layout dir: shared (waiting
// for a sweep to end) or exclusive; an exclusive lock does not wait, and
// ok is false while a build holds it.
func Lock(dir string, exclusive bool) (unlock func(), ok bool, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("creating %s: %w", dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, ".buildscope.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("opening the lock of %s: %w", dir, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX | syscall.LOCK_NB
	}
	if err := syscall.Flock(int(f.Fd()), how); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("locking %s: %w", dir, err)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, true, nil
}

// Sweep removes from the results layout dir every blob that no
// readable record of h, and not the layout's index, names. It sweeps
// nothing, and says why, while a build holds the layout, while a record
// is damaged (it may name blobs) or when an image a record names cannot
// be read whole.
func Sweep(dir string, records func() (builds []*model.Build, damaged int, err error)) (*Freed, error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return &Freed{}, nil // no build kept an image here (the engine keeps its own)
	}
	unlock, ok, err := Lock(dir, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return &Freed{Skipped: "a build is running (builds hold it from their start until their record names their image); the next `history rm` or `history prune` frees what no record uses"}, nil
	}
	defer unlock()
	builds, damaged, err := records()
	if err != nil {
		return nil, err
	}
	if damaged > 0 {
		return &Freed{Skipped: fmt.Sprintf("%s may name images in it: `buildscope history doctor` lists the damaged", model.Count(damaged, "damaged record"))}, nil
	}
	live := map[string]bool{}
	roots, err := indexDigests(dir)
	if err != nil {
		return nil, err
	}
	for _, b := range builds {
		if b.Result != nil && b.Result.Kind == model.ResultOCILayout {
			roots = append(roots, b.Result.Ref)
		}
	}
	for _, r := range roots {
		if err := markImage(dir, r, live); err != nil {
			return &Freed{Skipped: err.Error()}, nil
		}
	}
	return removeUnmarked(filepath.Join(dir, "blobs", "sha256"), live)
}

// imageJSON is the part of a manifest or an index (OCI's or Docker's)
// that names blobs.
type imageJSON struct {
	Config    *ocispec.Descriptor  `json:"config"`
	Layers    []ocispec.Descriptor `json:"layers"`
	Manifests []ocispec.Descriptor `json:"manifests"`
}

// indexDigests are the digests the layout's index.json names.
func indexDigests(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the index of %s: %w", dir, err)
	}
	var idx imageJSON
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("reading the index of %s: %w", dir, err)
	}
	var out []string
	for _, d := range idx.Manifests {
		out = append(out, d.Digest.String())
	}
	return out, nil
}

// markImage marks digest, a manifest or an index, and every blob under it.
// A blob missing from the layout is no error (nothing to keep); one that
// cannot be read or decoded is, as what it names is then unknown.
func markImage(dir, digest string, live map[string]bool) error {
	if live[digest] {
		return nil
	}
	p, err := blobPath(dir, digest)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading image %s in %s: %w", digest, dir, err)
	}
	live[digest] = true
	var m imageJSON
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("image %s in %s is not a manifest or an index (%v), so what it holds is unknown", digest, dir, err)
	}
	if m.Config != nil {
		live[m.Config.Digest.String()] = true
	}
	for _, l := range m.Layers {
		live[l.Digest.String()] = true
	}
	for _, c := range m.Manifests {
		if err := markImage(dir, c.Digest.String(), live); err != nil {
			return err
		}
	}
	return nil
}

// blobPath is where the layout keeps the blob of digest, refusing a
// digest that is not a valid sha256 one (a record edited by hand).
func blobPath(dir, dgst string) (string, error) {
	d, err := digest.Parse(dgst)
	if err != nil || d.Algorithm() != digest.SHA256 {
		return "", fmt.Errorf("image %q is not a sha256 digest, so what it holds is unknown", model.Printable(dgst))
	}
	return filepath.Join(dir, "blobs", "sha256", d.Encoded()), nil
}

// removeUnmarked removes the blobs of blobs (a layout's blobs/sha256)
// that live does not hold.
func removeUnmarked(blobs string, live map[string]bool) (*Freed, error) {
	ents, err := os.ReadDir(blobs)
	if errors.Is(err, os.ErrNotExist) {
		return &Freed{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", blobs, err)
	}
	f := &Freed{}
	for _, e := range ents {
		if e.IsDir() || live["sha256:"+e.Name()] {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone meanwhile
		}
		if err := os.Remove(filepath.Join(blobs, e.Name())); err != nil && !errors.Is(err, os.ErrNotExist) {
			return f, fmt.Errorf("removing blob %s: %w", e.Name(), err)
		}
		f.Blobs++
		f.Bytes += info.Size()
	}
	return f, nil
}
