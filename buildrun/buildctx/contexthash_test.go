package buildctx

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The hasher lists the context as BuildKit sees it after .dockerignore,
// digests what a source selects, and keeps the digests between builds:
// a second hasher on the same cache answers from it for an unchanged
// file (proved by a planted digest) and reads a changed one again.
func TestContextHasherListsSelectsAndCaches(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	writeTree(t, dir, map[string]string{
		"Dockerfile": "FROM scratch\n", ".dockerignore": "logs\n**/*.tmp\n",
		"src/a.go": "package a\n", "src/b.tmp": "x", "logs/1.log": "l", "top.txt": "top",
	})
	if err := os.Symlink("top.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	// a JSON cache of an older buildscope is removed, not read
	h := NewHasher(dir, "", cache)
	legacy := filepath.Join(cache, filepath.Base(h.cacheFile[:len(h.cacheFile)-len(".gob")])+".json")
	if err := os.WriteFile(legacy, []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := h.Hash(context.Background(), []string{"src", "./top.txt"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"src/a.go": sha("package a\n"), "top.txt": sha("top")}
	if len(got) != len(want) || got["src/a.go"] != want["src/a.go"] || got["top.txt"] != want["top.txt"] {
		t.Fatalf("Hash = %v, want %v", got, want)
	}
	if all, _ := h.Hash(context.Background(), []string{"."}); all["logs/1.log"] != "" || all["src/b.tmp"] != "" || all[".dockerignore"] == "" {
		t.Fatalf("the whole context after .dockerignore = %v", all)
	}
	if all, _ := h.Hash(context.Background(), []string{"."}); all["link"] != sha("symlink:top.txt") {
		t.Errorf("a symlink is digested by its target: %v", all["link"])
	}
	if err := h.save(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(legacy); !os.IsNotExist(err) {
		t.Fatalf("the legacy JSON cache is still there: %v", err)
	}

	// plant a digest for the unchanged file: the next hasher must use it
	c := readHashCache(h.cacheFile)
	e := c["top.txt"]
	e.Digest = "sha256:planted"
	c["top.txt"] = e
	if err := writeHashCache(h.cacheFile, c); err != nil {
		t.Fatal(err)
	}
	writeTree(t, dir, map[string]string{"src/a.go": "package a // changed\n"})
	h2 := NewHasher(dir, "", cache)
	got, err = h2.Hash(context.Background(), []string{"src", "top.txt"})
	if err != nil {
		t.Fatal(err)
	}
	if got["top.txt"] != "sha256:planted" {
		t.Errorf("unchanged file: %s, want the cached digest", got["top.txt"])
	}
	if got["src/a.go"] != sha("package a // changed\n") {
		t.Errorf("changed file: %s, want it read again", got["src/a.go"])
	}
}

// A cache that is not gob, or whose slices disagree, reads as empty.
func TestReadHashCacheRefusesGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "context-x.gob")
	if err := os.WriteFile(p, []byte("not gob"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c := readHashCache(p); len(c) != 0 {
		t.Fatalf("garbage read as %v", c)
	}
}

// An excluded directory is still entered when a later pattern re-includes
// what it holds, as BuildKit's context transfer does.
func TestContextHasherReincludes(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{".dockerignore": "docs\n!docs/keep.md\n", "docs/keep.md": "k", "docs/drop.md": "d", "a": "a"})
	got, err := NewHasher(dir, "", t.TempDir()).Hash(context.Background(), []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	if got["docs/keep.md"] != sha("k") || got["docs/drop.md"] != "" || got["a"] != sha("a") {
		t.Fatalf("Hash = %v", got)
	}
}
