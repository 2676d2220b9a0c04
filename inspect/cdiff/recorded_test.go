package cdiff

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// The recordings of testdata/cdiff/record.sh: a real container on the
// Docker engine and what the engine said about it.
const recorded = "../../testdata/cdiff/scenario"

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join(recorded, name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func recordedImage(t *testing.T, o ReadOptions) *Tree {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(recorded, "image-*.tar"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no recorded image layers: %v", err)
	}
	sort.Strings(names)
	var openers []Opener
	for _, n := range names {
		openers = append(openers, func() (io.ReadCloser, error) { return os.Open(n) })
	}
	base, err := ReadImage(openers, o)
	if err != nil {
		t.Fatal(err)
	}
	return base
}

func engineSaid(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(recorded, "docker-diff.txt"))
	if err != nil {
		t.Fatal(err)
	}
	changes, err := ParseDockerDiff(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) < 20 {
		t.Fatalf("the recording holds only %d changes", len(changes))
	}
	return Lines(Canonical(changes))
}

// exportDiff diffs the recorded container export against the recorded
// image, returning the image's tree, the container's and the changes.
func exportDiff(t *testing.T) (*Tree, *Tree, []Change) {
	t.Helper()
	base := recordedImage(t, ReadOptions{})
	ctr := NewTree()
	if err := ctr.ApplyLayer(open(t, "export.tar"), ReadOptions{Keep: KeepAll}); err != nil {
		t.Fatal(err)
	}
	changes, err := Diff(base, ctr)
	if err != nil {
		t.Fatal(err)
	}
	return base, ctr, changes
}

func TestRecordedExportMatchesEngine(t *testing.T) {
	_, _, changes := exportDiff(t)
	if got, want := Lines(changes), engineSaid(t); got != want {
		t.Fatalf("Diff of the export:\n%s\nthe engine (canonical order):\n%s", got, want)
	}
}

func TestRecordedCommitLayerMatchesEngine(t *testing.T) {
	base := recordedImage(t, ReadOptions{})
	upper, err := ReadChanges(open(t, "commit.tar"), ReadOptions{Keep: KeepAll})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := upper.Lstat("/data/dir2"); err != nil || !e.Whiteout {
		t.Fatalf("the committed layer should hold a whiteout for /data/dir2: %+v %v", e, err)
	}
	changes, err := DiffLayer(base, upper)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Lines(changes), engineSaid(t); got != want {
		t.Fatalf("DiffLayer of the committed layer:\n%s\nthe engine (canonical order):\n%s", got, want)
	}
}

func TestRecordedDetails(t *testing.T) {
	base, ctr, changes := exportDiff(t)
	DeletedSizes(base, changes)
	base = recordedImage(t, ReadOptions{Keep: KeepAll})
	AddContentDiffs(base, ctr, changes)
	by := map[string]Change{}
	for _, c := range changes {
		by[c.Path] = c
	}
	for p, want := range map[string]string{
		"/data/file.txt": "10 -rw-r--r-- -rw-r--r--",
		"/data/mode.txt": "2 -rw-r--r-- -rw-------",
		"/data/keepdir":  "0 drwxr-xr-x drwx------",
		"/data/fifo":     "0 - prw-r--r--",
		"/data/d2f":      "11 drwxr-xr-x -rw-r--r--",
		"/data/dir2":     "4 drwxr-xr-x -",
		"/data/link":     "8 lrwxrwxrwx lrwxrwxrwx",
	} {
		c, ok := by[p]
		if !ok {
			t.Errorf("no change for %s", p)
			continue
		}
		mode := func(e *Entry) string {
			if e == nil {
				return "-"
			}
			return e.ModeString()
		}
		if got := fmtSprint(c.SizeBytes(), mode(c.Old), mode(c.New)); got != want {
			t.Errorf("%s: %q, want %q", p, got, want)
		}
	}
	if d := by["/data/file.txt"].Diff; d != "--- a/data/file.txt\n+++ b/data/file.txt\n@@ -1 +1,2 @@\n hello\n+new\n" {
		t.Errorf("content diff:\n%s", d)
	}
	if d := by["/tmp/a"].Diff; d != "--- /dev/null\n+++ b/tmp/a\n@@ -0,0 +1 @@\n+t\n" {
		t.Errorf("content diff of an added file:\n%s", d)
	}
	if _, ok := by["/data/copied.txt"]; ok {
		t.Error("/data/copied.txt was rewritten with the same content and mtime: not a change")
	}
}
