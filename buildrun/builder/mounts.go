package builder

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// unmountUnder detaches every mount at or below dir, deepest first, and
// returns how many it detached. A buildkitd stopped while a step ran (or
// killed) can leave its executors' and cache mounts' overlays mounted in
// its root; nothing else would ever unmount them, and they keep the root
// from being removed.
func unmountUnder(dir string) (int, error) {
	dir = filepath.Clean(dir)
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return 0, fmt.Errorf("reading the mount table: %w", err)
	}
	defer f.Close()
	var under []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			under = append(under, mp)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("reading the mount table: %w", err)
	}
	slices.SortFunc(under, func(a, b string) int { return len(b) - len(a) }) // deepest first
	n := 0
	for _, mp := range under {
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil {
			return n, fmt.Errorf("unmounting %s left by the builder: %w", mp, err)
		}
		n++
	}
	return n, nil
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var c int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%o", &c); err == nil {
				b.WriteByte(byte(c))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
