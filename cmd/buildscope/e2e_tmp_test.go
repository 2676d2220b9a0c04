package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// The package's temp files — every environment's history, results and
// builder root, the tests' own temp dirs, and what the binaries under
// test write to $TMPDIR — go in one directory, removed at the end.
//
// It is on /dev/shm when that is a tmpfs with room and TMPDIR does not
// name a place: the builders' bolt databases sync on every commit, and on
// this 2-core machine the syncs and ext4's journal cost the package ~45 s
// of CPU (run on disk: TMPDIR=/tmp). A run holds ~0.3 GB there at most.
// The builders, images and containers are the same real ones either way.

// tmpfsMagic is a tmpfs's f_type in statfs(2).
const tmpfsMagic = 0x01021994

// tmpBase is where the package's temp directory is made.
func tmpBase() string {
	if os.Getenv("TMPDIR") != "" {
		return os.TempDir()
	}
	var st unix.Statfs_t
	if err := unix.Statfs("/dev/shm", &st); err != nil || st.Type != tmpfsMagic {
		return os.TempDir()
	}
	if free := st.Bavail * uint64(st.Bsize); free < 2<<30 || unix.Access("/dev/shm", unix.W_OK) != nil {
		return os.TempDir()
	}
	return "/dev/shm"
}

// detachMountsUnder detaches what is still mounted at or below dir (a
// builder that died mid-step leaves its overlays) so that dir can be
// removed, and returns the mount points: none is expected.
func detachMountsUnder(dir string) []string {
	under, err := mountPointsUnder(dir)
	if err != nil {
		return []string{err.Error()}
	}
	slices.SortFunc(under, func(a, b string) int { return len(b) - len(a) }) // deepest first
	for _, mp := range under {
		_ = unix.Unmount(mp, unix.MNT_DETACH)
	}
	return under
}

// mountPointsUnder lists the mount points at or below dir, read from the
// kernel's mount table.
func mountPointsUnder(dir string) ([]string, error) {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("reading the mount table: %w", err)
	}
	var under []string
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			under = append(under, f[4])
		}
	}
	return under, nil
}
