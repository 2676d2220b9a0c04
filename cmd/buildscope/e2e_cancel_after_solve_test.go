package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// Ctrl-C after the solve, while buildscope still hashes the build's
// context (512 MiB in 2,008 files, 8 of them hard links to one sparse
// file) for the build's inputs, cancels the hashing: exit 130 and a
// canceled record. (Before, the hashing took no context: the build waited
// for the walk, then was ended by the 5-second "stuck" exit with no record.)
// The window is made wide, not timed: BuildKit already holds the context
// (an earlier build sent it), so the second build's solve is a cache hit
// that ends at once, while buildscope's own hash cache is gone and every
// file must be read again.
func TestInterruptWhileHashingAfterTheSolve(t *testing.T) {
	// a builder of its own: the window needs the second build's cached
	// solve to end at once, and the shared builder, busy with other
	// tests' builds, delayed it past the hashing (a second try in most
	// runs beside them)
	e := newColdEnv(t)
	dir := t.TempDir()
	// BuildKit's second transfer of the context stats every file, while
	// buildscope's hashing reads every byte: a few large files (sparse:
	// no disk) make the hashing outlast the cached solve by seconds. They
	// are hard links to one file: buildscope reads each path (512 MiB),
	// while BuildKit's transfer sends the bytes once and the others as
	// links, so the first build moves 64 MiB, not 512
	f, err := os.Create(filepath.Join(dir, "big0"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for i := 1; i < 8; i++ {
		if err := os.Link(filepath.Join(dir, "big0"), filepath.Join(dir, fmt.Sprintf("big%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2000; i++ {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", i)), []byte(strconv.Itoa(i)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// a bind mount reads the whole context without copying it into a layer
	df := "FROM 127.0.0.1:5015/buildscope/busybox\nRUN --mount=type=bind,target=/ctx echo " + history.NewID() + " && ls /ctx | wc -l\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, r := e.build(t, "--builder", "embedded", dir); r.code != 0 {
		t.Fatalf("first build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	caches := func() []string {
		c, _ := filepath.Glob(filepath.Join(e.dir, "state", "buildscope", "cache", "context-*.gob"))
		return c
	}
	if len(caches()) == 0 {
		t.Fatal("the first build kept no context hash cache: the test would not make the hashing long")
	}
	// a loaded machine may end the hashing before the solve: then the
	// signal came after it (the hash cache is written) and the try is
	// made again, at most five times
	for try := 1; ; try++ {
		for _, c := range caches() {
			os.Remove(c)
		}
		cmd := exec.Command(binPath, "build", "--builder", "embedded", "--progress", "plain", "--debug", "/dev/stderr", dir)
		cmd.Env = e.vars
		code := interruptAt(t, cmd, "solved; recording its inputs")
		if written := caches(); len(written) != 0 {
			// the signal came after the hashing, maybe after the build's
			// end too: nothing to check of this try
			if try == 5 {
				t.Fatalf("the hash cache %v was written in five tries: the hashing always ran to its end before the solve did, so Ctrl-C never landed while it ran", written)
			}
		} else {
			if code != 130 {
				t.Errorf("exit %d after Ctrl-C, want 130", code)
			}
			b := e.lastRecord(t)
			if b.Status != model.StatusCanceled {
				t.Errorf("the interrupted build's record: status %q error %q, want canceled", b.Status, b.Error)
			}
			return // Ctrl-C landed while the context was hashed
		}
		t.Logf("try %d: the hashing ended before the solve; trying again", try)
	}
}
