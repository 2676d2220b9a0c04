package engine

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	dockerclient "github.com/moby/moby/client"
)

// errLoaded stops the writer of a load the engine has answered.
var errLoaded = errors.New("the engine has answered the load")

// Load writes img into the engine's store as tag.
func Load(ctx context.Context, dc *dockerclient.Client, img v1.Image, tag name.Tag) error {
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		err := tarball.Write(tag, img, pw)
		pw.CloseWithError(err)
		written <- err
	}()
	err := LoadTar(ctx, dc, pr)
	pr.CloseWithError(errLoaded) // the engine may stop reading early: free the writer
	if werr := <-written; werr != nil && !errors.Is(werr, errLoaded) {
		return fmt.Errorf("writing %s for the engine: %w", tag, werr)
	}
	if err != nil {
		return fmt.Errorf("loading %s into the Docker engine at %s: %w", tag, dc.DaemonHost(), err)
	}
	return nil
}

// LoadTar sends a docker-archive (docker save's format) to the engine and
// reads the engine's answer to the end. The engine answers 200 and reports
// a failure inside its JSON stream; that failure is returned as an error
// whose text is the engine's own message. Callers say what they loaded.
func LoadTar(ctx context.Context, dc *dockerclient.Client, r io.Reader) error {
	res, err := dc.ImageLoad(ctx, r)
	if err != nil {
		return err
	}
	defer res.Close()
	return readStream(res, nil)
}
