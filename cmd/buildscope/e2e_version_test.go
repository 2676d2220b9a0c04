package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/buildrun/builder"
)

// TestVersionsAndCommandLine: --version and `version --json` name
// buildscope's, its BuildKit client module's (as this test binary's build
// info has it) and the running embedded builder's versions, never
// BuildKit's v0.0.0+unknown of a buildkitd built from the module; a
// mistyped command gets a suggestion; build without PATH builds ".", as
// docker buildx build does; --progress json says the build's ID on stderr.
func TestVersionsAndCommandLine(t *testing.T) {
	shared := newEnv(t)
	want := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/moby/buildkit" {
				want = d.Version
			}
		}
	}
	// a build starts the shared builder, if no other test did
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+baseAddr+"/buildscope/busybox:latest\nRUN echo hi > /hi\n"), 0o644)
	r := shared.runIn(t, dir, nil, "build", "--builder", "embedded", "--progress", "json")
	if r.code != 0 {
		t.Fatalf("build without PATH: exit %d: %s", r.code, lastLines(r.stderr, 10))
	}
	b := shared.lastRecord(t)
	if real, _ := filepath.EvalSymlinks(dir); b.Context != dir && b.Context != real {
		t.Errorf("build without PATH built %s, want the current directory %s", b.Context, dir)
	}
	if !strings.Contains(r.stderr, "build "+b.ID) || !strings.Contains(r.stderr, "build:"+b.ID) {
		t.Errorf("--progress json does not say the build ID %s on stderr:\n%s", b.ID, r.stderr)
	}
	var v buildrun.Versions
	if err := json.Unmarshal([]byte(shared.mustRun(t, "version", "--json", "--builder", "embedded").stdout), &v); err != nil {
		t.Fatal(err)
	}
	if v.BuildKitClient != want || v.Buildscope == "" || v.Builder == nil || v.Builder.Name != "embedded" ||
		!strings.HasPrefix(v.Builder.BuildKit, "v0.") || strings.Contains(v.Builder.BuildKit, "unknown") {
		t.Errorf("version --json = %+v (builder %+v), want BuildKit client %s and the embedded builder's version", v, v.Builder, want)
	}
	text := shared.mustRun(t, "--version", "--builder", "embedded").stdout
	if !strings.Contains(text, "buildscope ") || !strings.Contains(text, "BuildKit client "+want) || !strings.Contains(text, "builder embedded: BuildKit "+v.Builder.BuildKit) {
		t.Errorf("--version:\n%s", text)
	}
	var st builder.EmbeddedStatus
	if err := json.Unmarshal([]byte(shared.mustRun(t, "builder", "status", "--json").stdout), &st); err != nil {
		t.Fatal(err)
	}
	if !st.Running || strings.Contains(st.Version, "unknown") || st.Version == "" {
		t.Errorf("builder status says BuildKit %q", st.Version)
	}
	r = shared.run(t, nil, "biuld", ".")
	if r.code == 0 || !strings.Contains(r.stderr, "Did you mean this?") || !strings.Contains(r.stderr, "\tbuild") {
		t.Errorf("biuld: exit %d, no suggestion of build:\n%s", r.code, r.stderr)
	}
}
