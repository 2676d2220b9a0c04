package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// The cachedemo's RUN --mount=type=cache (line 9): empty on the first
// build, warm on the next one that runs the step, empty again after
// `builder prune`; its size is BuildKit's own disk usage of the mount.
// why's advice names an empty mount the step ran with.
func TestCacheMountsWarmAndEmpty(t *testing.T) {
	e := newColdEnv(t) // a cold build (the mount empty at first), then eviction (builder prune)
	dir := copyDir(t, "../../assets/examples/cachedemo")
	mount := func(b *model.Build) model.CacheMountUse {
		t.Helper()
		for _, cm := range b.CacheMounts {
			if cm.Line == 9 && cm.Target == "/var/cache/pkgs" {
				return cm
			}
		}
		t.Fatalf("record has no cache mount at line 9: %+v", b.CacheMounts)
		return model.CacheMountUse{}
	}
	first, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	if m := mount(first); m.Warm || m.SizeBytes <= 0 || m.ID != "/var/cache/pkgs" || m.Sharing != "shared" {
		t.Errorf("first build: %+v, want empty before and some bytes after", m)
	}
	ex := whyAfterNothing(t, e)
	advised := false
	for _, a := range ex.Advice {
		advised = advised || strings.Contains(a, "line 9 ran with its cache mount /var/cache/pkgs empty")
	}
	if !advised {
		t.Errorf("why's advice %v does not name the empty cache mount", ex.Advice)
	}
	// a new dependency makes line 9 run again, on the warm mount
	deps := filepath.Join(dir, "deps.txt")
	data, _ := os.ReadFile(deps)
	os.WriteFile(deps, append(data, []byte("extra-"+history.NewID()+" 4\n")...), 0o644)
	second, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	if m := mount(second); !m.Warm || m.SizeBytes <= mount(first).SizeBytes {
		t.Errorf("second build: %+v, want warm and larger than %d", m, mount(first).SizeBytes)
	}
	warmSaid := false
	for _, a := range whyAfterNothing(t, e).Advice {
		warmSaid = warmSaid || strings.Contains(a, "line 9 ran with its cache mount /var/cache/pkgs warm ("+model.HumanSize(mount(second).SizeBytes)+" on the builder)")
	}
	if !warmSaid {
		t.Errorf("why does not say the re-run step found its cache mount warm")
	}
	// buildctl du, BuildKit's own client, reads the same mount's size, and
	// it holds at least the packages deps.txt names (KiB each)
	du := buildctlCacheMountSize(t, e, "/var/cache/pkgs")
	if du != mount(second).SizeBytes {
		t.Errorf("buildctl du says the cache mount holds %d bytes, buildscope %d", du, mount(second).SizeBytes)
	}
	var written int64
	data, _ = os.ReadFile(deps)
	for _, l := range strings.Split(string(data), "\n") {
		var name string
		var kib int64
		if _, err := fmt.Sscanf(l, "%s %d", &name, &kib); err == nil && !strings.HasPrefix(name, "#") {
			written += kib << 10
		}
	}
	if written == 0 || du < written {
		t.Errorf("the cache mount's %d bytes do not hold the %d bytes of packages written to it", du, written)
	}
	if show := e.mustRun(t, "history", "show", "last").stdout; !strings.Contains(show, "cache mount /var/cache/pkgs (id /var/cache/pkgs, shared):") || !strings.Contains(show, "found warm") {
		t.Errorf("history show:\n%s", show)
	}
	e.mustRun(t, "builder", "prune")
	third, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	if m := mount(third); m.Warm {
		t.Errorf("after prune: %+v, want empty", m)
	}
}

// A CI runner with a fresh builder imports --cache-from that another
// runner exported; a dependency change makes line 9 run, and its cache
// mount is empty though the build imported cache: why says the import
// never brings cache mounts, naming the source.
func TestCacheMountEmptyDespiteCacheFrom(t *testing.T) {
	cacheDir := t.TempDir()
	dir := copyDir(t, "../../assets/examples/cachedemo")
	// the exporting runner: any builder that exports the cache, the
	// shared one here (its export holds every step, cached or run)
	first := newEnv(t)
	if _, r := first.build(t, "--builder", "embedded", "--cache-to", "type=local,mode=max,dest="+cacheDir, dir); r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	deps := filepath.Join(dir, "deps.txt")
	data, _ := os.ReadFile(deps)
	os.WriteFile(deps, append(data, []byte("extra-"+history.NewID()+" 4\n")...), 0o644)
	ci := newColdEnv(t) // another runner: its own builder, the cache only imported
	b, r := ci.build(t, "--builder", "embedded", "--cache-from", "type=local,src="+cacheDir, dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	if len(b.CacheImports) != 1 || b.Cache.StepsCached == 0 {
		t.Errorf("record: cache imports %+v, %d steps cached; want the import recorded and used", b.CacheImports, b.Cache.StepsCached)
	}
	for _, cm := range b.CacheMounts {
		if cm.Line == 9 && cm.Warm {
			t.Errorf("cache mount %+v warm on a fresh builder", cm)
		}
	}
	ex := whyAfterNothing(t, ci)
	advised := false
	for _, a := range ex.Advice {
		advised = advised || strings.Contains(a, "line 9 ran with its cache mount /var/cache/pkgs empty although the build imported --cache-from type=local,src="+cacheDir)
	}
	if !advised {
		t.Errorf("why's advice %v does not explain the empty mount under --cache-from", ex.Advice)
	}
}

// buildctlCacheMountSize is the size buildctl du gives the cache mounts
// with id on e's embedded builder, summed over their records.
func buildctlCacheMountSize(t *testing.T, e *env, id string) int64 {
	t.Helper()
	out, err := exec.Command(buildctlBin(t), "--addr", "unix://"+builderSock(e), "du", "--filter", "type==exec.cachemount", "--format", "{{json .}}").Output()
	if err != nil {
		t.Fatalf("buildctl du: %v", err)
	}
	var recs []struct {
		Description string
		Size        int64
	}
	if err := json.Unmarshal(out, &recs); err != nil {
		t.Fatalf("buildctl du --format json: %v\n%s", err, out)
	}
	var n int64
	found := false
	for _, r := range recs {
		if strings.HasSuffix(r.Description, fmt.Sprintf("with id %q", "/"+id)) { // BuildKit keeps the id with a "/" before it
			n += r.Size
			found = true
		}
	}
	if !found {
		t.Fatalf("buildctl du lists no cache mount with id %s:\n%s", id, out)
	}
	return n
}

// On the Docker engine 20.10 a cache mount's size and warmth are unknown,
// and said so: its BuildKit names cache mounts in its disk usage by target
// and command, never by id (two ids on one target could not be told
// apart: the first build of a new id was reported warm, with the other
// ids' bytes), and keeps a reused mount's first size. why then says the
// mount's state is not known, and claims neither empty nor warm.
func TestCacheMountsOnEngine(t *testing.T) {
	requireDocker(t)
	e := newEnv(t) // the engine builds
	id := "bs-e2e-" + strings.ToLower(history.NewID())
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nARG N\n"+
		"RUN --mount=type=cache,id="+id+",target=/cache head -c 100000 /dev/zero > /cache/f$N && ls /cache > /listing\n")
	for _, n := range []string{"1", "2"} {
		b, r := e.build(t, "--builder", "docker", "--build-arg", "N="+n, dir)
		if r.code != 0 {
			t.Fatal(lastLines(r.stderr, 10))
		}
		if len(b.CacheMounts) != 1 {
			t.Fatalf("build %s: cache mounts %+v, want the one at line 3", n, b.CacheMounts)
		}
		if m := b.CacheMounts[0]; m.Line != 3 || m.ID != id || m.Unknown == "" || m.Warm || m.SizeBytes != 0 {
			t.Errorf("build %s: %+v, want size and warmth unknown, and why", n, m)
		}
		if show := e.mustRun(t, "history", "show", b.ID).stdout; !strings.Contains(show, "cache mount /cache (id "+id+", shared): size and warmth unknown: the Docker engine's BuildKit (before 0.11) names cache mounts") {
			t.Errorf("history show:\n%s", show)
		}
	}
	ex := whyAfterNothing(t, e)
	said := false
	for _, a := range ex.Advice {
		if !strings.Contains(a, "cache mount") {
			continue
		}
		if !strings.HasPrefix(a, "whether line 3 found its cache mount /cache warm is not known: the Docker engine's BuildKit") {
			t.Errorf("why claims %q of a mount whose state is unknown", a)
		}
		said = true
	}
	if !said {
		t.Errorf("why does not say the mount's state is unknown: %v", ex.Advice)
	}
}
