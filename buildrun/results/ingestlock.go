package results

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"sync"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/buildrun/state"
)

// lockedStore is the layout's content store with one writer per ingest
// ref across processes. containerd's local store locks a ref only within
// its process: two builds exporting the same blob at once (two identical
// builds, two terminals) wrote the same ingest directory, and one failed
// renaming a file the other had moved ("rename tmp file …
// ingest/<digest>/startedat.tmp"). With a flock per ref, the second
// writer waits for the first, then finds the blob committed
// (ErrAlreadyExists, which BuildKit takes as written).
type lockedStore struct {
	content.Store
	locks string // directory of the lock files, one per ref (made by Store)
}

// Writer waits for any other process's writer of the same ref, then
// opens the store's; the lock is held until the writer is committed or
// closed.
func (s lockedStore) Writer(ctx context.Context, opts ...content.WriterOpt) (content.Writer, error) {
	var wo content.WriterOpts
	for _, o := range opts {
		if err := o(&wo); err != nil {
			return nil, err
		}
	}
	sum := sha256.Sum256([]byte(wo.Ref))
	unlock, err := state.LockFile(filepath.Join(s.locks, hex.EncodeToString(sum[:16])))
	if err != nil {
		return nil, err
	}
	w, err := s.Store.Writer(ctx, opts...)
	if err != nil {
		unlock()
		return nil, err
	}
	return &lockedWriter{Writer: w, unlock: unlock}, nil
}

// lockedWriter releases its ref's lock once committed or closed.
type lockedWriter struct {
	content.Writer
	once   sync.Once
	unlock func()
}

func (w *lockedWriter) release() { w.once.Do(w.unlock) }

func (w *lockedWriter) Commit(ctx context.Context, size int64, expected digest.Digest, opts ...content.Opt) error {
	err := w.Writer.Commit(ctx, size, expected, opts...)
	w.release()
	return err
}

func (w *lockedWriter) Close() error {
	err := w.Writer.Close()
	w.release()
	return err
}
