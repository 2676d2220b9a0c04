// Package builder connects to a BuildKit: the embedded buildkitd that
// buildscope starts and manages (its daemon, config, status, prune), a
// Docker engine's built-in BuildKit, or any address; and asks what the
// builder can do (its Dockerfile frontend's checks).
package builder

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/client"
	// Register the connection helpers BuildKit ships, so that addresses
	// like docker-container://, kube-pod:// and ssh:// work as in buildctl.
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"
	dockerclient "github.com/moby/moby/client"

	"github.com/buildscope/buildscope/buildrun/engine"
	"github.com/buildscope/buildscope/buildrun/state"
)

// Builder kinds of Builder.Kind.
const (
	KindEmbedded = "embedded"
	KindDocker   = "docker"
	KindRemote   = "remote"
)

// Builder is a connected BuildKit.
type Builder struct {
	// Kind is embedded, docker or remote.
	Kind string
	// Address is what was dialled, for messages and records.
	Address string
	// Client talks to BuildKit.
	Client *client.Client
	// Docker is the engine client when Kind is docker; other builders dial
	// the engine only when a build asks for it (--load).
	Docker *dockerclient.Client
	// ContentSizes measures the layers of the images built on it, for
	// the records' sizes; the program gives it (the one layer reader is
	// in inspect, above this package); nil leaves the sizes unknown.
	ContentSizes ContentSizer
	checksCap    checksCap // see checks
	// paths are the embedded builder's state, whose key store gives the
	// cache keys of builds buildscope did not run (builderhistory's key reader)
	paths state.Paths
}

// Name is how build records name the builder: "embedded", "docker" or the
// address.
func (b *Builder) Name() string {
	if b.Kind == KindRemote {
		return b.Address
	}
	return b.Kind
}

// Close closes the connections.
func (b *Builder) Close() {
	if b.Client != nil {
		b.Client.Close()
	}
	if b.Docker != nil {
		b.Docker.Close()
	}
}

// StatePaths are the embedded builder's state, whose key store gives the
// cache keys of builds buildscope did not run.
func (b *Builder) StatePaths() state.Paths { return b.paths }

// ConnectOptions configure Connect.
type ConnectOptions struct {
	Paths state.Paths
	// Env is what the environment says (EnvFromOS), read by the caller.
	Env Env
	// TLS for tcp:// addresses.
	TLSCACert, TLSCert, TLSKey, TLSServerName string
	// ContentSizes becomes the Builder's (see Builder.ContentSizes).
	ContentSizes ContentSizer
}

// ContentSizer measures each layer's uncompressed content of an image,
// as `docker image ls` counts it (see model.Image.SizeBytes).
type ContentSizer func(img v1.Image) ([]int64, error)

// Embedded is the embedded builder of o: its state and Env's settings.
func (o ConnectOptions) Embedded() *Embedded {
	return &Embedded{Paths: o.Paths, Binary: o.Env.Buildkitd, NoCacheKeys: o.Env.NoCacheKeys, DaemonFlags: o.Env.DaemonFlags}
}

// Connect connects to the builder spec names: "embedded", "docker", a
// BuildKit address, or "" for the automatic choice: Env.Host
// (BUILDKIT_HOST), then the Docker engine if one answers, then the
// embedded builder.
func Connect(ctx context.Context, spec string, o ConnectOptions) (*Builder, error) {
	b, err := connectTo(ctx, spec, o)
	if b != nil {
		b.ContentSizes = o.ContentSizes
	}
	return b, err
}

func connectTo(ctx context.Context, spec string, o ConnectOptions) (*Builder, error) {
	switch spec {
	case "":
		if h := o.Env.Host; h != "" {
			return connectAddress(ctx, h, o)
		}
		if dc, err := engine.Connect(ctx); err == nil {
			return connectDocker(ctx, dc)
		}
		return o.Embedded().connect(ctx)
	case KindEmbedded:
		return o.Embedded().connect(ctx)
	case KindDocker:
		dc, err := engine.Connect(ctx)
		if err != nil {
			return nil, err
		}
		return connectDocker(ctx, dc)
	default:
		if !strings.Contains(spec, "://") {
			return nil, fmt.Errorf("unknown builder %q: use embedded, docker, or a BuildKit address such as unix:///run/buildkit/buildkitd.sock, tcp://host:1234, docker-container://NAME, kube-pod://NAME, ssh://user@host", spec)
		}
		return connectAddress(ctx, spec, o)
	}
}

// connect connects to the embedded builder, starting it if needed.
func (e *Embedded) connect(ctx context.Context) (*Builder, error) {
	c, err := e.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &Builder{Kind: KindEmbedded, Address: e.Address(), Client: c, paths: e.Paths}, nil
}

func connectAddress(ctx context.Context, addr string, o ConnectOptions) (*Builder, error) {
	if err := CheckAddress(addr); err != nil {
		return nil, err
	}
	var opts []client.ClientOpt
	if o.TLSCACert != "" || o.TLSCert != "" {
		opts = append(opts, client.WithServerConfig(o.TLSServerName, o.TLSCACert))
		if o.TLSCert != "" {
			opts = append(opts, client.WithCredentials(o.TLSCert, o.TLSKey))
		}
	}
	c, err := client.New(ctx, addr, opts...)
	if err != nil {
		return nil, fmt.Errorf("connecting to BuildKit at %s: %w", addr, err)
	}
	if err := ping(ctx, c); err != nil {
		c.Close()
		if ctx.Err() != nil { // Ctrl-C: the address may be right, just slow
			return nil, fmt.Errorf("interrupted while waiting for BuildKit at %s to answer", addr)
		}
		hint := "check that buildkitd runs and listens there"
		if strings.HasPrefix(addr, "tcp://") {
			hint += " (for TLS pass --tlscacert, --tlscert and --tlskey)"
		}
		return nil, fmt.Errorf("cannot reach BuildKit at %s: %v; %s, or choose another with --builder / BUILDKIT_HOST", addr, ShortErr(err), hint)
	}
	b := &Builder{Kind: KindRemote, Address: addr, Client: c}
	if sock, ok := strings.CutPrefix(addr, "unix://"); ok && o.Paths.State != "" && filepath.Clean(sock) == o.Embedded().Paths.Socket() {
		// the embedded builder named by its socket: the same builder,
		// whose key store buildscope reads
		b.Kind, b.paths = KindEmbedded, o.Paths
	}
	return b, nil
}

// ping checks that a BuildKit answers. ListWorkers exists in every BuildKit
// version, including the Docker engine's old built-in one, where Info does not.
func ping(ctx context.Context, c *client.Client) error {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := c.ListWorkers(pctx)
	return err
}

// ShortErr keeps the first line of a gRPC error.
func ShortErr(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// Connector connects to the builder the user named; nil when none was
// named, and then only buildscope's own history is looked at.
type Connector func(context.Context) (*Builder, error)
