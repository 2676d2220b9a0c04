package main

import (
	"archive/tar"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
)

// contentImage is an image of one layer holding files with the given
// contents.
func contentImage(t *testing.T, files map[string]string) v1.Image {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range []string{"etc/app.conf", "etc/new.txt"} {
		c, ok := files[n]
		if !ok {
			continue
		}
		if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	tw.Close()
	return appendLayer(t, empty.Image, buf.Bytes(), 0)
}

// TestCompareContentIsAPatch: `compare --content` prints a text file's
// tabs, backslashes and line ends as the file has them, so its diffs are
// ones `patch` applies to A's files to give B's.
func TestCompareContentIsAPatch(t *testing.T) {
	shared := newEnv(t)
	before := "[server]\n\tport = 80\npath = C:\\app\\bin\n"
	after := "[server]\n\tport = 8080\t# was 80\npath = C:\\app\\bin\\new\nregex = ^a\\.b\\n$\n"
	added := "one\ttwo\nno newline at the end\\"
	a := writeArchive(t, contentImage(t, map[string]string{"etc/app.conf": before}), "e2e/patch:a")
	b := writeArchive(t, contentImage(t, map[string]string{"etc/app.conf": after, "etc/new.txt": added}), "e2e/patch:b")
	out := shared.mustRun(t, "compare", "--content", a, b).stdout
	var diff strings.Builder // the diff lines of the output, from the first ---
	in := false
	for _, l := range strings.SplitAfter(out, "\n") {
		if strings.HasPrefix(l, "--- ") {
			in = true
		}
		if in && (strings.HasPrefix(l, "--- ") || strings.HasPrefix(l, "+++ ") || strings.HasPrefix(l, "@@") ||
			strings.HasPrefix(l, " ") || strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") || strings.HasPrefix(l, `\`)) {
			diff.WriteString(l)
		}
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "etc"), 0o755)
	os.WriteFile(filepath.Join(dir, "etc", "app.conf"), []byte(before), 0o644)
	cmd := exec.Command("patch", "-p1", "--batch", "--no-backup-if-mismatch")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(diff.String())
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch does not apply compare --content's diff: %v\n%s\ndiff:\n%s", err, o, diff.String())
	}
	for name, want := range map[string]string{"app.conf": after, "new.txt": added} {
		if got := readFile(t, filepath.Join(dir, "etc", name)); got != want {
			t.Errorf("patched %s = %q, want B's %q", name, got, want)
		}
	}
}
