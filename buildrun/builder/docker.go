package builder

import (
	"context"
	"fmt"
	"net"

	"github.com/moby/buildkit/client"
	dockerclient "github.com/moby/moby/client"
)

// connectDocker reaches the engine's built-in BuildKit over the engine API,
// as buildx's docker driver does: gRPC over a hijacked /grpc connection
// upgraded to h2c, and the session over /session.
func connectDocker(ctx context.Context, dc *dockerclient.Client) (*Builder, error) {
	c, err := client.New(ctx, "",
		client.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return dc.DialHijack(ctx, "/grpc", "h2c", nil)
		}),
		client.WithSessionDialer(func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return dc.DialHijack(ctx, "/session", proto, meta)
		}))
	if err != nil {
		return nil, fmt.Errorf("connecting to the Docker engine's BuildKit at %s: %w", dc.DaemonHost(), err)
	}
	if err := ping(ctx, c); err != nil {
		c.Close()
		return nil, fmt.Errorf("the Docker engine at %s answers but its BuildKit does not (%v): enable BuildKit in the engine (features.buildkit in daemon.json) or use --builder embedded", dc.DaemonHost(), ShortErr(err))
	}
	return &Builder{Kind: KindDocker, Address: dc.DaemonHost(), Client: c, Docker: dc}, nil
}
