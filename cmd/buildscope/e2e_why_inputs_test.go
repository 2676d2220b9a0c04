package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model/why"
)

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Each scenario's second build changes one input; why names the reason and
// the exact input, never cache-evicted.
func TestWhyNamesTheInput(t *testing.T) {
	// what hit or missed must be its own builds' doing: each scenario's
	// first step on the base reads a file with a nonce, so its steps are
	// its own on the shared builder, and the base is ownBase
	shared := newEnv(t)
	own := ownBase(t)
	base := "FROM " + own + "\n"
	t.Run("bind mount from the context", func(t *testing.T) {
		dir := t.TempDir()
		nonce := history.NewID()
		writeFiles(t, dir, map[string]string{
			"Dockerfile":        base + "RUN --mount=type=bind,source=scripts,target=/s sh /s/make.sh > /out.txt\n",
			"scripts/make.sh":   "echo " + nonce + "\n",
			"scripts/other.txt": "x\n",
		})
		whyAfter(t, shared, dir, "--builder", "embedded")
		writeFiles(t, dir, map[string]string{"scripts/make.sh": "echo changed-" + nonce + "\n"})
		ex := whyAfter(t, shared, dir, "--builder", "embedded")
		m := requireMiss(t, ex, 2, why.ReasonContext)
		if files := m.Detail.Files; len(files) != 1 || files[0] != "scripts/make.sh" {
			t.Errorf("detail %v, want scripts/make.sh", m.Detail)
		}
	})
	t.Run("per-Dockerfile ignore file", func(t *testing.T) {
		dir := t.TempDir()
		nonce := history.NewID()
		// .dockerignore drops notes.txt, but build.Dockerfile.dockerignore
		// replaces it for build.Dockerfile, and BuildKit sends notes.txt
		writeFiles(t, dir, map[string]string{
			"build.Dockerfile":              base + "COPY . /app/\n",
			".dockerignore":                 "notes.txt\n",
			"build.Dockerfile.dockerignore": "*.tmp\n",
			"notes.txt":                     nonce + "\n",
		})
		df := filepath.Join(dir, "build.Dockerfile")
		whyAfter(t, shared, dir, "--builder", "embedded", "-f", df)
		writeFiles(t, dir, map[string]string{"notes.txt": "changed " + nonce + "\n"})
		ex := whyAfter(t, shared, dir, "--builder", "embedded", "-f", df)
		m := requireMiss(t, ex, 2, why.ReasonContext)
		if files := m.Detail.Files; len(files) != 1 || files[0] != "notes.txt" {
			t.Errorf("detail %v, want notes.txt", m.Detail)
		}
	})
	t.Run("named context", func(t *testing.T) {
		dir, extra := t.TempDir(), t.TempDir()
		nonce := history.NewID()
		writeFiles(t, dir, map[string]string{"Dockerfile": base + "COPY --from=extra conf.txt /conf.txt\nRUN cat /conf.txt > /used.txt\n"})
		writeFiles(t, extra, map[string]string{"conf.txt": nonce + "\n"})
		whyAfter(t, shared, dir, "--builder", "embedded", "--build-context", "extra="+extra)
		writeFiles(t, extra, map[string]string{"conf.txt": "changed " + nonce + "\n"})
		ex := whyAfter(t, shared, dir, "--builder", "embedded", "--build-context", "extra="+extra)
		m := requireMiss(t, ex, 2, why.ReasonNamedContext)
		if m.Detail.Context != "extra" || !reflect.DeepEqual(m.Detail.Files, []string{"conf.txt"}) {
			t.Errorf("detail %v, want context extra, conf.txt", m.Detail)
		}
		if p := requireMiss(t, ex, 3, why.ReasonParent); p.Detail.Root != m.Step {
			t.Errorf("line 3 root %v, want %s", p.Detail.Root, m.Step)
		}
		if m.CostSeconds <= 0 {
			t.Errorf("root cause cost %v s, want the seconds of the steps it made run", m.CostSeconds)
		}
	})
	t.Run("changed but hit an older entry", func(t *testing.T) {
		dir := t.TempDir()
		nonce := history.NewID()
		df := base + "COPY a.txt /a.txt\nRUN cat /a.txt > /b.txt\n"
		writeFiles(t, dir, map[string]string{"Dockerfile": df, "a.txt": "one " + nonce + "\n"})
		whyAfter(t, shared, dir, "--builder", "embedded")
		writeFiles(t, dir, map[string]string{"a.txt": "two " + nonce + "\n"})
		whyAfter(t, shared, dir, "--builder", "embedded")
		// back to "one": COPY is answered from the first build's entry, and
		// changed against the previous build; so is the RUN after it
		writeFiles(t, dir, map[string]string{"a.txt": "one " + nonce + "\n"})
		ex := whyAfter(t, shared, dir, "--builder", "embedded")
		requireNoMisses(t, ex)
		if len(ex.ChangedHits) != 1 || ex.ChangedHits[0].Line != 2 || ex.ChangedHits[0].Reason != why.ReasonContext {
			t.Fatalf("changed hits %+v, want the COPY on line 2 as context-changed", ex.ChangedHits)
		}
		if c := ex.ChangedHits[0].Detail.Changes; len(c) != 1 || c[0].Path != "a.txt" || c[0].Old == "" || c[0].New == "" || c[0].Old == c[0].New {
			t.Errorf("changed hit: %+v, want a.txt with its old and new digests", c)
		}
		if ex.Source != why.SourceCacheKeys {
			t.Errorf("source %q", ex.Source)
		}
		// plain output lists it too
		out := shared.mustRun(t, "why").stdout
		if !strings.Contains(out, "changed, but answered from an older cache entry:") || !strings.Contains(out, "context-changed: a.txt") {
			t.Errorf("plain why:\n%s", out)
		}
	})
	t.Run("a stage copied from changed and still hit", func(t *testing.T) {
		// stage gen's COPY hits an older entry; so does the final stage's
		// COPY --from=gen (BuildKit keys it by content): one changed hit,
		// and nothing blamed on an instruction or on eviction
		dir := t.TempDir()
		nonce := history.NewID()
		df := "FROM " + own + " AS gen\nCOPY v.txt /v.txt\n" + base + "COPY --from=gen /v.txt /final.txt\n"
		writeFiles(t, dir, map[string]string{"Dockerfile": df, "v.txt": "one " + nonce + "\n"})
		whyAfter(t, shared, dir, "--builder", "embedded")
		writeFiles(t, dir, map[string]string{"v.txt": "two " + nonce + "\n"})
		whyAfter(t, shared, dir, "--builder", "embedded")
		writeFiles(t, dir, map[string]string{"v.txt": "one " + nonce + "\n"})
		ex := whyAfter(t, shared, dir, "--builder", "embedded")
		if len(ex.ChangedHits) != 1 || ex.ChangedHits[0].Line != 2 {
			t.Fatalf("changed hits %+v, want gen's COPY", ex.ChangedHits)
		}
		requireNoMisses(t, ex)
	})
}
