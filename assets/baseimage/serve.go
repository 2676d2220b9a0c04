package baseimage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/buildscope/buildscope/buildrun/engine"
)

// Registry is a loopback registry serving the base image.
type Registry struct {
	// Addr is host:port it listens on.
	Addr string
	srv  *http.Server
}

// Ref is the base image's reference in this registry.
func (r *Registry) Ref() string { return r.Addr + "/" + Repository + ":latest" }

// Close stops the registry.
func (r *Registry) Close() error { return r.srv.Close() }

// Serve starts an in-memory registry on addr (e.g. 127.0.0.1:5015, or
// 127.0.0.1:0 for any free port) and pushes img to it as
// buildscope/busybox:latest. Loopback registries are plain HTTP, as BuildKit
// and Docker expect.
func Serve(addr string, img v1.Image) (*Registry, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s for the base-image registry: %w (is one already running?)", addr, err)
	}
	r := &Registry{Addr: ln.Addr().String(), srv: &http.Server{Handler: registry.New(registry.Logger(log.New(io.Discard, "", 0)))}}
	go func() {
		if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Printf("base-image registry: %v", err)
		}
	}()
	ref, err := name.ParseReference(r.Ref())
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("parsing %s: %w", r.Ref(), err)
	}
	if err := remote.Write(ref, img); err != nil {
		r.Close()
		return nil, fmt.Errorf("pushing the base image to %s: %w", r.Ref(), err)
	}
	return r, nil
}

// LoadDocker loads img into the Docker engine (DOCKER_HOST or the default
// socket) as tag.
func LoadDocker(ctx context.Context, img v1.Image, tag string) error {
	t, err := name.NewTag(tag)
	if err != nil {
		return fmt.Errorf("tag %s: %w", tag, err)
	}
	dc, err := engine.New()
	if err != nil {
		return err
	}
	defer dc.Close()
	return engine.Load(ctx, dc, img, t)
}

// Answers reports whether a registry serves ref.
func Answers(ref string) bool {
	r, err := name.ParseReference(ref)
	if err != nil {
		return false
	}
	_, err = remote.Head(r)
	return err == nil
}
