package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun"
)

// buildctlBin builds buildctl from the BuildKit module in go.mod, as a
// "foreign" client of the builder.
func buildctlBin(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "buildctl")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/moby/buildkit/cmd/buildctl").CombinedOutput(); err != nil {
		t.Fatalf("building buildctl: %v\n%s", err, out)
	}
	return bin
}

// history ls --builder lists the builder's own records: a build buildctl
// ran beside buildscope's, with who made each, status and steps; on the
// Docker engine (20.10, no history API) it says so in one line.
func TestHistoryListsTheBuildersOwnBuilds(t *testing.T) {
	requireDocker(t)
	e := newEnv(t)
	dir := flagDir(t, "")
	if _, r := e.build(t, "--builder", "embedded", dir); r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	sock := filepath.Join(e.dir, "run", "buildscope", "buildkitd.sock")
	ctl := exec.Command(buildctlBin(t), "--addr", "unix://"+sock, "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir, "--opt", "build-arg:NONCE="+buildrun.NewID())
	if out, err := ctl.CombinedOutput(); err != nil {
		t.Fatalf("buildctl: %v\n%s", err, out)
	}
	var out struct {
		Buildscope []struct {
			ID string `json:"id"`
		} `json:"buildscope"`
		Builder []struct {
			Ref    string `json:"ref"`
			By     string `json:"by"`
			Status string `json:"status"`
			Total  int    `json:"steps_total"`
		} `json:"builder"`
	}
	r := e.mustRun(t, "history", "ls", "--json", "--builder", "embedded")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	by := map[string]int{}
	for _, b := range out.Builder {
		by[b.By]++
		if b.Status != "ok" || b.Total == 0 {
			t.Errorf("builder record %+v: want ok with its steps", b)
		}
	}
	if len(out.Buildscope) != 1 || by["buildscope"] != 1 || by["other"] != 1 {
		t.Errorf("buildscope's %d records; the builder's by maker %v: want buildscope's build and buildctl's", len(out.Buildscope), by)
	}
	plain := e.mustRun(t, "history", "ls", "--builder", "embedded").stdout
	if !strings.Contains(plain, "the embedded builder's own history:") || !strings.Contains(plain, "other") {
		t.Errorf("plain history:\n%s", plain)
	}
	d := e.run(t, nil, "history", "ls", "--builder", "docker")
	if d.code != 0 || strings.Count(strings.TrimSpace(d.stderr), "\n") != 0 || !strings.Contains(d.stderr, "the docker builder keeps no build history") {
		t.Errorf("engine: exit %d, stderr %q", d.code, d.stderr)
	}
}
