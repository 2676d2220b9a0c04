package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/testdeps"
)

// A build on a full disk under the history (a 64 KiB tmpfs, filled): the
// build says its record was not saved and why, leaves no event log or
// temp file behind, and `history doctor` finds nothing wrong; once there
// is room, the next build is recorded. It needs root to mount the tmpfs.
func TestBuildOnAFullHistoryDisk(t *testing.T) {
	testdeps.Root(t, "mounting a tmpfs under the history")
	e := newEnv(t)
	hist := filepath.Join(e.dir, "state", "buildscope", "history")
	if err := os.MkdirAll(hist, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", hist).CombinedOutput(); err != nil {
		t.Fatalf("mounting a tmpfs at %s: %v %s", hist, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", hist).Run() })
	filler := filepath.Join(hist, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for buf := make([]byte, 4096); ; {
		if _, err := f.Write(buf); err != nil {
			break // full
		}
	}
	f.Close()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\nRUN echo full-disk > /x\n"})
	r := e.run(t, nil, "build", "--builder", "embedded", "--progress", "plain", dir)
	last := lastLines(r.stderr, 1)
	if r.code == 0 || !strings.Contains(last, " was not recorded: ") || !strings.Contains(last, "no space left on device") {
		t.Errorf("exit %d, last line %q: want the build to say its record was not saved, and why", r.code, last)
	}
	ents, _ := os.ReadDir(hist)
	for _, en := range ents {
		if en.Name() != "filler" && en.Name() != ".last.lock" {
			t.Errorf("left in the full history: %s", en.Name())
		}
	}
	if r := e.run(t, nil, "history", "doctor"); r.code != 0 {
		t.Errorf("doctor after the full disk: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	os.Remove(filler)
	b, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("the build after room was made: exit %d\n%s", r.code, lastLines(r.stderr, 5))
	}
	if got := e.mustRun(t, "history", "ls"); !strings.Contains(got.stdout, b.ID) {
		t.Errorf("the next build is not recorded:\n%s", got.stdout)
	}
}
