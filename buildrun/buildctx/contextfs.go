package buildctx

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/tonistiigi/fsutil"

	"github.com/buildscope/buildscope/buildrun/state"
)

// FS is the directory dir as the build's session sends it, except
// that a file which cannot be opened ends the build: fail (the solve's
// cancel) gets an *UnreadableError. fsutil's sender ignores the
// error of opening a file it has listed and sends it empty, so a context
// file the client cannot read was copied into the image as 0 bytes
// without a word; and when a read fails instead it stops sending while
// the daemon still waits for the file, so only cancelling the solve ends
// the build.
func FS(dir string, fail context.CancelCauseFunc) (fsutil.FS, error) {
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		return nil, err
	}
	return strictOpenFS{FS: fs, dir: dir, fail: fail}, nil
}

// UnreadableError is a file of the build context that cannot be
// read.
type UnreadableError struct {
	Path string
	Err  error
}

// Error names the file, why it could not be read, and what to do.
func (e *UnreadableError) Error() string {
	return fmt.Sprintf("cannot read %s of the build context (%v): it would be sent as an empty file; make it readable or list it in .dockerignore", e.Path, e.Err)
}

// Unwrap is why the file could not be read.
func (e *UnreadableError) Unwrap() error { return e.Err }

type strictOpenFS struct {
	fsutil.FS
	dir  string
	fail context.CancelCauseFunc
}

// Open, when the file cannot be opened, ends the solve and returns a
// reader whose first read fails.
func (s strictOpenFS) Open(p string) (io.ReadCloser, error) {
	rc, err := s.FS.Open(p)
	if err != nil {
		uerr := &UnreadableError{Path: filepath.Join(s.dir, p), Err: state.UnwrapPath(err)}
		s.fail(uerr)
		return failingReader{uerr}, nil
	}
	return rc, nil
}

type failingReader struct{ err error }

func (f failingReader) Read([]byte) (int, error) { return 0, f.err }
func (f failingReader) Close() error             { return nil }
