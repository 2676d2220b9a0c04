// Package testdeps lets a test skip when something it needs is missing
// (root, runc, a Docker engine, a tool) on a developer's machine, and
// fail instead under `make test`, which provides them all and sets
// BUILDSCOPE_REQUIRE_DOCKER=1: there a skip would hide a test that never
// ran behind a green result.
package testdeps

import (
	"os"
	"os/exec"
	"testing"
)

// Required says whether missing dependencies fail tests
// (BUILDSCOPE_REQUIRE_DOCKER=1, as make test sets it).
func Required() bool { return os.Getenv("BUILDSCOPE_REQUIRE_DOCKER") == "1" }

// Need skips t, saying what is missing, unless ok; under Required it
// fails t instead.
func Need(t testing.TB, ok bool, missing string) {
	t.Helper()
	if ok {
		return
	}
	if Required() {
		t.Fatalf("%s, and BUILDSCOPE_REQUIRE_DOCKER=1 (make test) requires it", missing)
	}
	t.Skip(missing)
}

// Root is Need for a test that must run as root.
func Root(t testing.TB, why string) {
	t.Helper()
	Need(t, os.Geteuid() == 0, "not root: "+why)
}

// Tool is Need for a program on PATH; it returns the program's path.
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	Need(t, err == nil, "no "+name+" on PATH")
	return p
}
