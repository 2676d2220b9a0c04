package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/buildscope/buildscope/model"
)

// -o type=local writes the image's filesystem; --build-context adds a
// named context; --push sends the image to a (loopback) registry.
func TestOutputsContextsAndPush(t *testing.T) {
	shared := newEnv(t)
	reg, _ := loopbackRegistry(t)

	extra := t.TempDir()
	os.WriteFile(filepath.Join(extra, "note.txt"), []byte("from the extra context\n"), 0o644)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox\nCOPY --from=extra note.txt /note.txt\nRUN cat /note.txt > /copied.txt\n"), 0o644)
	out := filepath.Join(t.TempDir(), "out")
	tag := reg.Addr + "/e2e/pushed:v1"
	b, r := shared.build(t, "--builder", "embedded", "--build-context", "extra="+extra, "-o", "type=local,dest="+out, "--push", "-t", tag, dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, lastLines(r.stderr, 10))
	}
	if got := readFile(t, filepath.Join(out, "copied.txt")); got != "from the extra context\n" {
		t.Errorf("local output copied.txt = %q", got)
	}
	ref, _ := name.ParseReference(tag)
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatalf("pushed image not in the registry: %v", err)
	}
	if b.Image == nil || desc.Digest.String() != b.Image.Digest {
		t.Errorf("registry has %s, record says %+v", desc.Digest, b.Image)
	}
	if b.Result == nil || b.Result.Kind != model.ResultOCILayout {
		t.Errorf("the build's own result was not kept alongside the outputs: %+v", b.Result)
	}
}

// --cache-to exports the cache, and --cache-from brings it back to a
// builder whose own cache was pruned.
func TestCacheExportImport(t *testing.T) {
	e := newColdEnv(t) // eviction: it prunes its builder's cache
	cache := filepath.Join(t.TempDir(), "cache")
	ctx := copyDir(t, "../../assets/examples/cachedemo")
	if _, r := e.build(t, "--builder", "embedded", "--cache-to", "type=local,dest="+cache+",mode=max", ctx); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, lastLines(r.stderr, 10))
	}
	e.mustRun(t, "builder", "prune")
	b, r := e.build(t, "--builder", "embedded", "--cache-from", "type=local,src="+cache, ctx)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, lastLines(r.stderr, 10))
	}
	for k, st := range stepsByLine(b) {
		if !strings.Contains(st.Instruction, "FROM ") && !st.Cached {
			t.Errorf("%s ran despite the imported cache", k)
		}
	}
}
