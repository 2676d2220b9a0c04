package builder

import (
	"context"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/state"
)

// The automatic choice takes the host from Env, not the environment: an
// address given there is dialled (here refused by its scheme) whatever
// BUILDKIT_HOST says.
func TestConnectTakesHostFromEnv(t *testing.T) {
	t.Setenv("BUILDKIT_HOST", "")
	_, err := Connect(context.Background(), "", ConnectOptions{Env: Env{Host: "nope://x"}})
	if err == nil || !strings.Contains(err.Error(), `builder address "nope://x": unknown scheme`) {
		t.Errorf("Connect with Env.Host nope://x: %v", err)
	}
}

// EnvFromOS is the one place the builder variables are read, and the
// embedded builder gets them through ConnectOptions.
func TestEnvFromOS(t *testing.T) {
	t.Setenv("BUILDKIT_HOST", "tcp://h:1")
	t.Setenv("BUILDSCOPE_BUILDKITD", "/x/buildkitd")
	t.Setenv("BUILDSCOPE_CACHE_KEYS", "0")
	t.Setenv("BUILDSCOPE_BUILDKITD_FLAGS", "--debug  --trace")
	env := EnvFromOS()
	e := ConnectOptions{Paths: state.Paths{State: "/s"}, Env: env}.Embedded()
	if env.Host != "tcp://h:1" || e.Binary != "/x/buildkitd" || !e.NoCacheKeys || strings.Join(e.DaemonFlags, " ") != "--debug --trace" || e.Paths.State != "/s" {
		t.Errorf("env %+v, embedded %+v", env, e)
	}
}
