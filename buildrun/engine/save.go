package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	dockerclient "github.com/moby/moby/client"
)

// Saved is an image saved from the engine's store (docker save) to a temp
// file, read from there. Close removes the file.
type Saved struct {
	v1.Image
	path string
}

// Close removes the saved tar.
func (s *Saved) Close() error {
	if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("removing %s: %w", s.path, err)
	}
	return nil
}

// Save saves ref from the engine's store to a temp file and reads it as a
// docker-archive. The caller closes the result, which removes the file; on
// an error no file is left.
func Save(ctx context.Context, dc *dockerclient.Client, ref string) (*Saved, error) {
	rc, err := dc.ImageSave(ctx, []string{ref})
	if err != nil && ctx.Err() != nil { // Ctrl-C
		return nil, fmt.Errorf("interrupted while waiting for the Docker engine at %s to answer", dc.DaemonHost())
	}
	if err != nil {
		return nil, fmt.Errorf("saving %s from the Docker engine at %s: %w", ref, dc.DaemonHost(), err)
	}
	defer rc.Close()
	f, err := os.CreateTemp("", "buildscope-save-*.tar")
	if err != nil {
		return nil, fmt.Errorf("saving %s: %w", ref, err)
	}
	s := &Saved{path: f.Name()}
	_, err = io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("saving %s from the Docker engine: %w", ref, err)
	}
	if s.Image, err = tarball.ImageFromPath(s.path, nil); err != nil {
		s.Close()
		return nil, fmt.Errorf("reading %s as saved by the engine: %w", ref, err)
	}
	return s, nil
}
