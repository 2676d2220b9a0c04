package main

import (
	"strings"
	"testing"
)

// A bad --platform is refused before any builder is contacted, naming the
// flag and the value.
func TestBadPlatformRefusedBeforeBuild(t *testing.T) {
	e := newEnv(t)
	r := e.run(t, nil, "build", "--progress", "plain", "--platform", "linux/", "../../assets/examples/multistage")
	if r.code == 0 || !strings.Contains(r.stderr, `invalid --platform "linux/"`) {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "#1 ") {
		t.Errorf("the build started before the platform was refused:\n%s", r.stderr)
	}
	if st := e.run(t, nil, "builder", "status"); strings.Contains(st.stdout, "running") {
		t.Errorf("the embedded builder was started for a build refused up front: %s", st.stdout)
	}
}
