// Package engine is buildscope's one helper for the Docker engine: the
// engine client is built here and nowhere else, an image is saved from the
// engine's store to a temp tar here, and an image is loaded into the engine
// here, with the engine's answer read for the errors it reports inside a
// successful response.
package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	dockerclient "github.com/moby/moby/client"
)

// New returns a client of the Docker engine named by DOCKER_HOST (default
// /var/run/docker.sock), without asking whether one answers there.
func New() (*dockerclient.Client, error) {
	dc, err := dockerclient.New(dockerclient.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("configuring the Docker client: %w", err)
	}
	return dc, nil
}

// Connect returns a client of the Docker engine named by DOCKER_HOST
// (default /var/run/docker.sock) if it answers within two seconds.
func Connect(ctx context.Context) (*dockerclient.Client, error) {
	dc, err := New()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := dc.Ping(pctx, dockerclient.PingOptions{NegotiateAPIVersion: true}); err != nil {
		dc.Close()
		if ctx.Err() != nil { // Ctrl-C
			return nil, fmt.Errorf("interrupted while waiting for the Docker engine at %s to answer", dc.DaemonHost())
		}
		return nil, fmt.Errorf("no Docker engine answers at %s (%v): start one (e.g. `dockerd &` as root) or set DOCKER_HOST", dc.DaemonHost(), firstLine(err))
	}
	return dc, nil
}

// firstLine keeps the first line of an error.
func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}
