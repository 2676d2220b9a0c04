package buildctx

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/buildscope/buildscope/model/dockerfile"
)

// bigContext writes a context of n small files in 100 directories.
func bigContext(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	for i := range n {
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i%100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%05d", i)), []byte(fmt.Sprint(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// digested counts the files a hasher has read.
func digested(h *contextHasher) int {
	n := 0
	for _, f := range h.files {
		if f.digest != "" {
			n++
		}
	}
	return n
}

// A build canceled after its solve (Ctrl-C) does not wait for its context
// to be hashed: the walk, the digests and the prewarm stop at the next
// directory or file once ctx is done, with ctx's error (issue 28 item 7).
func TestHashStopsWhenCanceled(t *testing.T) {
	dir := bigContext(t, 20000)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()

	h := NewHasher(dir, "", t.TempDir())
	if _, err := h.Hash(canceled, []string{"."}); !errors.Is(err, context.Canceled) {
		t.Fatalf("hash under a canceled context: %v, want context.Canceled", err)
	}
	if len(h.files) != 0 {
		t.Errorf("the walk listed %d files after the context was canceled", len(h.files))
	}

	// listed, then canceled: no file is read
	h = NewHasher(dir, "", t.TempDir())
	live, stop := context.WithCancel(context.Background())
	if err := h.list(live); err != nil || len(h.files) != 20000 {
		t.Fatalf("list: %d files, %v", len(h.files), err)
	}
	stop()
	if _, err := h.Hash(live, []string{"."}); !errors.Is(err, context.Canceled) || digested(h) != 0 {
		t.Errorf("hash after cancel: %v, %d files read", err, digested(h))
	}

	// the prewarm of a plan that copies the whole context returns at once
	plan, err := dockerfile.Parse("Dockerfile", []byte("FROM scratch\nCOPY . /ctx\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	hs := Hashers{"": NewHasher(dir, "", t.TempDir())}
	hs.Prewarm(canceled, plan, "")
	if n := digested(hs[""]); n != 0 {
		t.Errorf("prewarm under a canceled context read %d files", n)
	}

	// and under a live one it reads them all: the test can fail
	hs = Hashers{"": NewHasher(dir, "", t.TempDir())}
	hs.Prewarm(context.Background(), plan, "")
	if n := digested(hs[""]); n != 20000 {
		t.Errorf("prewarm read %d of 20000 files", n)
	}
}
