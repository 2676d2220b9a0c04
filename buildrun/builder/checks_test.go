package builder

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// What a builder's Info answer says of its frontend's checks: none below
// BuildKit 0.14 or Dockerfile 1.8, a lint subrequest only when the version
// says so, and nothing claimed when the answer does not say.
func TestChecksFrom(t *testing.T) {
	info := func(bk, df string) *client.Info {
		return &client.Info{BuildkitVersion: client.BuildkitVersion{Version: bk, DockerfileVersion: df}}
	}
	for _, tc := range []struct {
		name string
		info *client.Info
		err  error
		why  string // a prefix, "" for none
		lint bool
	}{
		{"engine 20.10 (no Info)", nil, status.Error(codes.Unimplemented, "unknown method Info"), "its BuildKit is older than 0.11", false},
		{"Info fails otherwise", nil, errors.New("connection reset"), "", false},
		{"0.12 release", info("v0.12.5", ""), nil, "its BuildKit is v0.12.5", false},
		{"0.14 release", info("v0.14.0", ""), nil, "", true},
		{"built from source, old", info("v0.0.0+unknown", ""), nil, "", false},
		{"built from source, frontend says", info("v0.0.0+unknown", "1.19.0-dev"), nil, "", true},
		{"old frontend", info("v0.30.0", "1.7.1"), nil, "its Dockerfile frontend is 1.7.1", false},
		{"frontend 1.8", info("v0.30.0", "1.8.0"), nil, "", true},
	} {
		why, lint := checksFrom(tc.info, tc.err)
		if (tc.why == "") != (why == "") || !strings.HasPrefix(why, tc.why) || lint != tc.lint {
			t.Errorf("%s: %q, lint %v; want %q…, lint %v", tc.name, why, lint, tc.why, tc.lint)
		}
	}
}

// countingControl is a BuildKit control API that answers Info as the
// Docker engine 20.10 does (it has none) and counts the calls.
type countingControl struct {
	controlapi.UnimplementedControlServer
	calls atomic.Int32
}

func (c *countingControl) Info(context.Context, *controlapi.InfoRequest) (*controlapi.InfoResponse, error) {
	c.calls.Add(1)
	return nil, status.Error(codes.Unimplemented, "unknown method Info")
}

// The builder is asked once per connection, whatever the number of builds
// (a bake's targets ask at once) or steps.
func TestChecksAskedOnce(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "ctl.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	ctl := &countingControl{}
	controlapi.RegisterControlServer(srv, ctl)
	go srv.Serve(l)
	defer srv.Stop()
	c, err := client.New(context.Background(), "unix://"+sock)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := &Builder{Kind: KindRemote, Address: "unix://" + sock, Client: c}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if why, lint := b.Checks(context.Background()); !strings.HasPrefix(why, "its BuildKit is older than 0.11") || lint {
				t.Errorf("checks: %q, lint %v", why, lint)
			}
		})
	}
	wg.Wait()
	if n := ctl.calls.Load(); n != 1 {
		t.Errorf("Info called %d times, want once", n)
	}
}
