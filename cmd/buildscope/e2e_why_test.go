package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/buildscope/buildscope/assets/baseimage"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/model/why"
)

// whyAfter builds dir with args and returns the explanation of that build.
func whyAfter(t *testing.T, e *env, dir string, args ...string) *why.Explanation {
	t.Helper()
	b, r := e.build(t, append(append([]string{}, args...), dir)...)
	if r.code != 0 {
		t.Fatalf("build %v exited %d: %s", args, r.code, lastLines(r.stderr, 10))
	}
	var ex why.Explanation
	if err := json.Unmarshal([]byte(e.mustRun(t, "why", "--json").stdout), &ex); err != nil {
		t.Fatal(err)
	}
	if ex.Build != b.ID {
		t.Fatalf("why explained %s, not the last build %s", ex.Build, b.ID)
	}
	// every step BuildKit did not answer from the cache is explained, and
	// each answer names where it came from
	if ran := b.Cache.StepsTotal - b.Cache.StepsCached; len(ex.Misses) != ran {
		t.Errorf("why explains %d steps, the build ran %d (%d/%d cached): %+v", len(ex.Misses), ran, b.Cache.StepsCached, b.Cache.StepsTotal, ex.Misses)
	}
	for _, m := range ex.Misses {
		if m.Source == "" {
			t.Errorf("line %d %s: no source", m.Line, m.Reason)
		}
	}
	return &ex
}

func missAt(ex *why.Explanation, line int) *why.Miss {
	for i := range ex.Misses {
		if ex.Misses[i].Line == line {
			return &ex.Misses[i]
		}
	}
	return nil
}

func requireMiss(t *testing.T, ex *why.Explanation, line int, reason string) *why.Miss {
	t.Helper()
	m := missAt(ex, line)
	if m == nil || m.Reason != reason {
		t.Fatalf("line %d: got %+v, want %s; all misses: %+v", line, m, reason, ex.Misses)
	}
	return m
}

// requireNoMisses fails when a step ran: a FROM that BuildKit evaluated
// only for its key (and counts as not cached) is listed, as
// cache-key-only, and is no step that ran.
func requireNoMisses(t *testing.T, ex *why.Explanation) {
	t.Helper()
	for _, m := range ex.Misses {
		if m.Reason != why.ReasonKeyOnly {
			t.Fatalf("want no misses, got %+v", ex.Misses)
		}
	}
}

// assets/examples/cachedemo: line 9 RUN (installs from deps.txt), 16 COPY
// src/, 17 RUN (uses ARG VERSION), 21-22 COPY --from=build in final.
func TestWhyReasonsOnEmbedded(t *testing.T) {
	// a builder of its own: on the shared one, its own steps (ownCachedemo)
	// and all, line 17 was once instruction-changed ("selected paths"
	// "" → "/": BuildKit's key recorded by content in one build, by
	// definition in the other) instead of parent-missed; cause not found
	shared := newColdEnv(t) // what hit or missed must be its own builds' doing
	dir := copyDir(t, "../../assets/examples/cachedemo")
	e := shared
	bld := []string{"--builder", "embedded"}

	first := whyAfter(t, e, dir, bld...)
	if first.Previous != "" || len(first.Misses) == 0 {
		t.Fatalf("first build: %+v", first)
	}
	for _, m := range first.Misses {
		if m.Reason != why.ReasonFirst {
			t.Errorf("first build: %+v", m)
		}
	}

	t.Run("context-changed", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo changed; }\n"), 0o644)
		ex := whyAfter(t, e, dir, bld...)
		m := requireMiss(t, ex, 16, why.ReasonContext)
		if files := m.Detail.Files; len(files) != 1 || files[0] != "src/lib.sh" {
			t.Errorf("files %v", m.Detail.Files)
		}
		p := requireMiss(t, ex, 17, why.ReasonParent)
		if p.Detail.Root != m.Step || !ex.Misses[0].Root {
			t.Errorf("cascade %+v, root cause first %+v", p, ex.Misses[0])
		}
	})
	t.Run("ignored file changes nothing", func(t *testing.T) {
		os.WriteFile(filepath.Join(dir, "NOTES.md"), []byte("ignored by .dockerignore\n"), 0o644)
		requireNoMisses(t, whyAfter(t, e, dir, bld...))
	})
	t.Run("build-arg-changed", func(t *testing.T) {
		ex := whyAfter(t, e, dir, append(bld, "--build-arg", "VERSION=2.0.0")...)
		m := requireMiss(t, ex, 17, why.ReasonBuildArg)
		if m.Detail.Arg != "VERSION" || m.Detail.Old != "1.0.0" || m.Detail.New != "2.0.0" {
			t.Errorf("detail %v", m.Detail)
		}
		if missAt(ex, 9) != nil || missAt(ex, 16) != nil {
			t.Errorf("steps the arg does not reach missed: %+v", ex.Misses)
		}
	})
	t.Run("unused build arg changes nothing", func(t *testing.T) {
		requireNoMisses(t, whyAfter(t, e, dir, append(bld, "--build-arg", "VERSION=2.0.0", "--build-arg", "UNUSED=1")...))
	})
	t.Run("instruction-changed", func(t *testing.T) {
		df := readFile(t, filepath.Join(dir, "Dockerfile"))
		os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(strings.Replace(df, "chmod 755 greeter", "chmod 0755 greeter", 1)), 0o644)
		ex := whyAfter(t, e, dir, append(bld, "--build-arg", "VERSION=2.0.0")...)
		m := requireMiss(t, ex, 17, why.ReasonInstruction)
		if !strings.Contains(m.Detail.Old, "chmod 755") || !strings.Contains(m.Detail.New, "chmod 0755") {
			t.Errorf("detail %v", m.Detail)
		}
	})
	t.Run("no-cache", func(t *testing.T) {
		ex := whyAfter(t, e, dir, append(bld, "--build-arg", "VERSION=2.0.0", "--no-cache")...)
		for _, m := range ex.Misses {
			if m.Reason != why.ReasonNoCache {
				t.Errorf("--no-cache: %+v", m)
			}
		}
		requireMiss(t, ex, 9, why.ReasonNoCache)
	})
	t.Run("no-cache-filter", func(t *testing.T) {
		ex := whyAfter(t, e, dir, append(bld, "--build-arg", "VERSION=2.0.0", "--no-cache-filter", "build")...)
		m := requireMiss(t, ex, 17, why.ReasonNoCache)
		if m.Detail.Flag != "--no-cache-filter=build" {
			t.Errorf("detail %v", m.Detail)
		}
		if missAt(ex, 9) != nil {
			t.Errorf("the deps stage missed under --no-cache-filter=build: %+v", missAt(ex, 9))
		}
	})
	plain := e.mustRun(t, "why").stdout
	if !strings.Contains(plain, "root causes:") || !strings.Contains(plain, "no-cache") {
		t.Errorf("plain why:\n%s", plain)
	}
}

// A base image re-tagged to different content in a loopback registry.
func TestWhyBaseImageChanged(t *testing.T) {
	shared := newEnv(t)
	// the base is the test's own (see ownBase): no other build on the
	// shared builder has it
	reg, img := ownRegistry(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+reg.Ref()+"\nRUN echo built > /built\n"), 0o644)
	whyAfter(t, shared, dir, "--builder", "embedded")
	// re-tag: the same name, one more layer
	ref, _ := name.ParseReference(reg.Ref())
	changed, err := mutate.AppendLayers(img, imagetest.Layer(t, imagetest.Text("etc/motd", "re-tagged\n")))
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, changed); err != nil {
		t.Fatal(err)
	}
	oldD, _ := img.Digest()
	newD, _ := changed.Digest()
	ex := whyAfter(t, shared, dir, "--builder", "embedded")
	m := requireMiss(t, ex, 1, why.ReasonBase)
	if m.Detail.Old != oldD.String() || m.Detail.New != newD.String() {
		t.Errorf("detail %v, want %s → %s", m.Detail, oldD, newD)
	}
	requireMiss(t, ex, 2, why.ReasonParent)
}

// ownBase is the reference of a base image of the test's own: the base
// image and a layer with a nonce, in a loopback registry of the test's
// own. A why test on the shared builder builds on it, so that no step of
// its builds, the FROM included, is one of another test's builds running
// at the same time. BuildKit merges steps of concurrent builds that share
// a cache key and replays a shared step's progress to each build that
// joins it: the common base's FROM showed pulled again (cache-evicted) in
// a rebuild, and a FROM of the same image at another address came into
// another build's record as a step of its own.
func ownBase(t *testing.T) string {
	t.Helper()
	reg, _ := ownRegistry(t)
	return reg.Ref()
}

// ownRegistry serves a base image of the test's own (see ownBase) from a
// loopback registry of its own, closed when the test ends. The base
// image is read from the package's registry as it is (a layer is not
// made and compressed again).
func ownRegistry(t *testing.T) (*baseimage.Registry, v1.Image) {
	t.Helper()
	ref, err := name.ParseReference(baseAddr + "/" + baseimage.Repository + ":latest")
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("reading the base image %s: %v", ref, err)
	}
	own, err := mutate.AppendLayers(img, imagetest.Layer(t, imagetest.Text("etc/buildscope-test", history.NewID()+"\n")))
	if err != nil {
		t.Fatal(err)
	}
	return serveOnLoopback(t, own), own
}

// ownCachedemo is a copy of the cachedemo whose steps are the test's own
// on the shared builder: its base is ownBase, and its deps.txt ends in a
// comment line with a nonce (the install skips comments), so COPY
// deps.txt (line 8) and every step after it miss on its first build.
func ownCachedemo(t *testing.T) string {
	t.Helper()
	dir := copyDir(t, "../../assets/examples/cachedemo")
	df := readFile(t, filepath.Join(dir, "Dockerfile"))
	const arg = "ARG BASE=127.0.0.1:5015/buildscope/busybox:latest\n"
	if !strings.Contains(df, arg) {
		t.Fatalf("the cachedemo's Dockerfile has no %q", arg)
	}
	writeFiles(t, dir, map[string]string{
		"Dockerfile": strings.Replace(df, arg, "ARG BASE="+ownBase(t)+"\n", 1),
		"deps.txt":   readFile(t, filepath.Join(dir, "deps.txt")) + "# " + history.NewID() + "\n",
	})
	return dir
}

// A pruned cache: same inputs, the steps run anyway.
func TestWhyCacheEvicted(t *testing.T) {
	e := newColdEnv(t) // eviction: builder prune would evict other tests' cache
	dir := copyDir(t, "../../assets/examples/cachedemo")
	whyAfter(t, e, dir, "--builder", "embedded")
	e.mustRun(t, "builder", "prune")
	ex := whyAfter(t, e, dir, "--builder", "embedded")
	// the first step to run again is the root cause; the rest cascade from it
	root := requireMiss(t, ex, 7, why.ReasonEvicted)
	if root.Detail.Key == "" || ex.Source != why.SourceCacheKeys {
		t.Errorf("evicted without BuildKit's cache key to show the inputs were equal: %v (source %s)", root.Detail, ex.Source)
	}
	// the base image pulled again after the prune is a miss too, naming
	// the image and its digest
	from := requireMiss(t, ex, 6, why.ReasonEvicted)
	if from.Detail.Image == "" || !strings.HasPrefix(from.Detail.New, "sha256:") || from.Source != why.SourceCacheKeys {
		t.Errorf("line 6: %+v from %s", from.Detail, from.Source)
	}
	for _, line := range []int{9, 16, 17} {
		if m := requireMiss(t, ex, line, why.ReasonParent); m.Detail.Root != root.Step {
			t.Errorf("line %d: root %v, want %s", line, m.Detail.Root, root.Step)
		}
	}
}

// The seeds' advice: a dependency install that missed only because a
// broad COPY came before it.
func TestWhyAdviceManifestFirst(t *testing.T) {
	shared := newEnv(t)
	// what hit or missed must be its own builds' doing: main.sh, which
	// COPY . . (line 3) copies, holds a nonce; the base is ownBase
	nonce := history.NewID()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+ownBase(t)+"\nWORKDIR /app\nCOPY . .\nRUN cat deps.txt > installed.txt\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "deps.txt"), []byte("a 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.sh"), []byte("echo 1 # "+nonce+"\n"), 0o644)
	whyAfter(t, shared, dir, "--builder", "embedded")
	os.WriteFile(filepath.Join(dir, "main.sh"), []byte("echo 2 # "+nonce+"\n"), 0o644)
	ex := whyAfter(t, shared, dir, "--builder", "embedded")
	requireMiss(t, ex, 3, why.ReasonContext)
	requireMiss(t, ex, 4, why.ReasonParent)
	if len(ex.Advice) == 0 || !strings.Contains(ex.Advice[0], "dependency manifests") || !strings.Contains(ex.Advice[0], "line 4") {
		t.Errorf("advice %v", ex.Advice)
	}
}

func TestWhyOnDockerEngine(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	dir := copyDir(t, "../../assets/examples/cachedemo")
	nonce := history.NewID() // the engine's cache outlives test runs
	os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo "+nonce+"; }\n"), 0o644)
	whyAfter(t, shared, dir, "--builder", "docker")
	os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo changed-"+nonce+"; }\n"), 0o644)
	ex := whyAfter(t, shared, dir, "--builder", "docker")
	if ex.Source != why.SourceRecordedInputs || !strings.Contains(ex.SourceNote, "Docker engine") {
		t.Errorf("source %q, note %q: the engine path must say its answer rests on recorded inputs", ex.Source, ex.SourceNote)
	}
	requireMiss(t, ex, 16, why.ReasonContext)
	requireMiss(t, ex, 17, why.ReasonParent)
}

// Two builds of the same inputs have equal normalised LLB digests, though
// BuildKit's vertex digests differ with the session; editing a RUN changes
// its digest and those of the steps built on it, and no other.
func TestNormalisedLLBDigests(t *testing.T) {
	shared := newEnv(t)
	// both builds must be its own, with no other build's vertices: see
	// ownCachedemo
	dir := ownCachedemo(t)
	a, _ := shared.build(t, "--builder", "embedded", dir)
	b, _ := shared.build(t, "--builder", "embedded", dir)
	sa, sb := stepsByLine(a), stepsByLine(b)
	differ := 0
	for k, x := range sa {
		y := sb[k]
		if x.Inputs == nil || y.Inputs == nil || x.Inputs.LLB == "" || x.Inputs.LLB != y.Inputs.LLB {
			t.Errorf("%s: LLB %v vs %v", k, x.Inputs, y.Inputs)
		}
		if x.Digest != y.Digest {
			differ++
		}
	}
	if differ == 0 {
		t.Error("no vertex digest differed between sessions: the test proves nothing")
	}
	df := readFile(t, filepath.Join(dir, "Dockerfile"))
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(strings.Replace(df, "chmod 755 greeter", "chmod 0755 greeter", 1)), 0o644)
	c, _ := shared.build(t, "--builder", "embedded", dir)
	sc := stepsByLine(c)
	for k, changed := range map[string]bool{"deps:9": false, "build:16": false, "build:17": true, "final:21": true, "final:22": true} {
		if got := sc[k].Inputs.LLB != sb[k].Inputs.LLB; got != changed {
			t.Errorf("%s: LLB changed=%v, want %v", k, got, changed)
		}
	}
}
