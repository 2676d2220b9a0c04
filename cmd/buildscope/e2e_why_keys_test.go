package main

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model/why"
)

// On the embedded builder why answers from BuildKit's own cache keys and
// names the exact input: an ENV value that changed.
func TestWhyKeysEnvChanged(t *testing.T) {
	shared := newEnv(t)
	dir := t.TempDir()
	nonce := history.NewID() // ENV (line 2) on: the test's own steps on the shared builder
	df := "FROM " + ownBase(t) + "\nENV E=one-" + nonce + "\nRUN echo $E > /e.txt\n"
	writeFiles(t, dir, map[string]string{"Dockerfile": df})
	whyAfter(t, shared, dir, "--builder", "embedded")
	writeFiles(t, dir, map[string]string{"Dockerfile": strings.Replace(df, "E=one-", "E=two-", 1)})
	ex := whyAfter(t, shared, dir, "--builder", "embedded")
	if ex.Source != why.SourceCacheKeys {
		t.Fatalf("source %q (%s), want cache-keys", ex.Source, ex.SourceNote)
	}
	m := requireMiss(t, ex, 3, why.ReasonEnv)
	if m.Detail.Var != "E" || m.Detail.Old != "one-"+nonce || m.Detail.New != "two-"+nonce {
		t.Errorf("detail %+v, want E one-… → two-…", m.Detail)
	}
}

// A CI-like run: a build exports its cache with mode=min, the builder is
// pruned, a source file changes, and the next build imports the cache.
// The dependency steps of the build stage, unchanged, ran: the imported
// cache held their keys without layers (mode=min), which why says,
// naming the cache, instead of cache-evicted; the changed COPY names its
// file. A cache that cannot be read is named too.
func TestWhyCacheFromModeMin(t *testing.T) {
	e := newColdEnv(t) // eviction: builder prune would evict other tests' cache
	dir, cache := t.TempDir(), filepath.Join(t.TempDir(), "cache")
	writeFiles(t, dir, map[string]string{
		"Dockerfile": "FROM 127.0.0.1:5015/buildscope/busybox AS build\nCOPY deps.txt /deps.txt\nRUN cat /deps.txt > /installed.txt\n" +
			"COPY src.txt /src.txt\nRUN cat /installed.txt /src.txt > /out.txt\n" +
			"FROM 127.0.0.1:5015/buildscope/busybox\nCOPY --from=build /out.txt /app.txt\n",
		"deps.txt": "a 1\n", "src.txt": "one\n",
	})
	whyAfter(t, e, dir, "--builder", "embedded", "--cache-to", "type=local,dest="+cache+",mode=min")
	e.mustRun(t, "builder", "prune")
	writeFiles(t, dir, map[string]string{"src.txt": "two\n"})
	from := "type=local,src=" + cache
	ex := whyAfter(t, e, dir, "--builder", "embedded", "--cache-from", from)
	if ex.Source != why.SourceCacheKeys {
		t.Fatalf("source %q (%s)", ex.Source, ex.SourceNote)
	}
	m := requireMiss(t, ex, 2, why.ReasonNotImported)
	if !strings.Contains(m.Detail.CacheFrom, from) || !strings.Contains(m.Detail.CacheFrom, "mode=min") {
		t.Errorf("line 2: %q, want the cache named and mode=min", m.Detail.CacheFrom)
	}
	requireMiss(t, ex, 3, why.ReasonParent)
	c := requireMiss(t, ex, 4, why.ReasonContext)
	if !reflect.DeepEqual(c.Detail.Files, []string{"src.txt"}) || !strings.Contains(c.Detail.CacheFrom, "does not hold this step's key") {
		t.Errorf("line 4: %+v", c.Detail)
	}
	for _, m := range ex.Misses {
		if m.Reason == why.ReasonEvicted || m.Reason == why.ReasonFirst {
			t.Errorf("%+v: a miss after --cache-from blamed on %s", m, m.Reason)
		}
	}
	plain := e.mustRun(t, "why").stdout
	if !strings.Contains(plain, "cache-not-imported: --cache-from "+from) {
		t.Errorf("plain why:\n%s", plain)
	}

	missing := "type=local,src=" + filepath.Join(t.TempDir(), "none")
	writeFiles(t, dir, map[string]string{"src.txt": "three\n"})
	ex = whyAfter(t, e, dir, "--builder", "embedded", "--cache-from", missing)
	if len(ex.Advice) == 0 || !strings.Contains(ex.Advice[0], missing+" failed to import") {
		t.Errorf("advice %v, want the unreadable cache named", ex.Advice)
	}
}

// With cache-key recording off (BUILDSCOPE_CACHE_KEYS=0) the embedded
// builder keeps none, and why says its answer comes from recorded inputs,
// and why.
func TestWhyWithoutCacheKeys(t *testing.T) {
	e := newColdEnv(t) // a builder started without cache-key recording: the shared one records them
	e.vars = append(e.vars, "BUILDSCOPE_CACHE_KEYS=0")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM 127.0.0.1:5015/buildscope/busybox\nCOPY a.txt /a.txt\n", "a.txt": "1\n"})
	whyAfter(t, e, dir, "--builder", "embedded")
	writeFiles(t, dir, map[string]string{"a.txt": "2\n"})
	ex := whyAfter(t, e, dir, "--builder", "embedded")
	if ex.Source != why.SourceRecordedInputs || !strings.Contains(ex.SourceNote, "keeps no cache keys") {
		t.Errorf("source %q, note %q", ex.Source, ex.SourceNote)
	}
	requireMiss(t, ex, 2, why.ReasonContext)
}
