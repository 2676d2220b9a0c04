package builder

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/buildscope/buildscope/buildrun/state"
)

// addressSchemes are the BuildKit address schemes buildscope connects to:
// the two BuildKit listens on, and the connection helpers builder.go
// registers (as buildctl does).
var addressSchemes = []string{"unix", "tcp", "docker-container", "kube-pod", "nerdctl-container", "podman-container", "ssh"}

// CheckAddress refuses, before any connection is tried, a builder
// address BuildKit's client would turn into a dial error that does not
// say what is wrong ("too many colons in address" for http://host:port):
// an unknown scheme, a tcp:// address without a port, a unix:// address
// without a path.
func CheckAddress(addr string) error {
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("builder address %q is not a URL: %v", addr, state.UnwrapPath(err))
	}
	known := false
	for _, s := range addressSchemes {
		known = known || u.Scheme == s
	}
	switch {
	case u.Scheme == "http" || u.Scheme == "https":
		return fmt.Errorf("builder address %q: BuildKit speaks gRPC, not %s; for a buildkitd listening on %s use tcp://%s (with --tlscacert, --tlscert and --tlskey for TLS)", addr, u.Scheme, u.Host, hostPort(u))
	case !known:
		return fmt.Errorf("builder address %q: unknown scheme %q; use one of %s://", addr, u.Scheme, strings.Join(addressSchemes, "://, "))
	case u.Scheme == "tcp" && u.Port() == "":
		return fmt.Errorf("builder address %q has no port: use tcp://HOST:PORT (buildkitd has no default port)", addr)
	case u.Scheme == "unix" && u.Path == "":
		return fmt.Errorf("builder address %q names no socket: use unix:///path/to/buildkitd.sock", addr)
	}
	return nil
}

// hostPort is u's host with its port, or with 1234 (the port BuildKit's
// documentation uses) when it has none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	return net.JoinHostPort(u.Hostname(), "1234")
}
