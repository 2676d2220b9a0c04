package builder

import (
	"os"
	"strings"
)

// Env is what the environment says about builders. EnvFromOS reads it
// once, at the edge (cmd), and ConnectOptions carry it down: the rest of
// the package takes values, not the environment.
type Env struct {
	// Host is BUILDKIT_HOST: the builder of the automatic choice, tried
	// before the Docker engine.
	Host string
	// Buildkitd is BUILDSCOPE_BUILDKITD: the embedded builder's buildkitd.
	Buildkitd string
	// NoCacheKeys is BUILDSCOPE_CACHE_KEYS=0: the embedded buildkitd keeps
	// no cache keys' inputs (to measure what keeping them costs).
	NoCacheKeys bool
	// DaemonFlags are BUILDSCOPE_BUILDKITD_FLAGS: more buildkitd flags.
	DaemonFlags []string
}

// EnvFromOS reads Env from the process's environment.
func EnvFromOS() Env {
	return Env{
		Host:        os.Getenv("BUILDKIT_HOST"),
		Buildkitd:   os.Getenv("BUILDSCOPE_BUILDKITD"),
		NoCacheKeys: os.Getenv("BUILDSCOPE_CACHE_KEYS") == "0",
		DaemonFlags: strings.Fields(os.Getenv("BUILDSCOPE_BUILDKITD_FLAGS")),
	}
}
