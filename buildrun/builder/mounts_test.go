package builder

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/buildscope/buildscope/buildrun/testdeps"
)

// Mounts left under a root, nested ones included, are detached, and
// nothing outside it is touched; the root can then be removed.
func TestUnmountUnder(t *testing.T) {
	testdeps.Root(t, "mounting needs root")
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "root-other") // shares the prefix, not the dir
	inner := filepath.Join(root, "executor", "x y", "rootfs")
	for _, d := range []string{root, outside} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	mount := func(p string) {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := unix.Mount("tmpfs", p, "tmpfs", 0, "size=1m"); err != nil {
			t.Fatalf("mounting a tmpfs at %s: %v", p, err)
		}
	}
	mount(filepath.Join(root, "executor"))
	mount(inner)
	mount(outside)
	defer unix.Unmount(outside, unix.MNT_DETACH)
	n, err := unmountUnder(root)
	if err != nil || n != 2 {
		t.Fatalf("unmounted %d: %v, want 2", n, err)
	}
	if err := os.RemoveAll(root); err != nil {
		t.Fatalf("removing the root after: %v", err)
	}
	var st, parent unix.Stat_t
	if unix.Stat(outside, &st) != nil || unix.Stat(base, &parent) != nil || st.Dev == parent.Dev {
		t.Errorf("the mount outside the root was detached too")
	}
}
