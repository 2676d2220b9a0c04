package cdiff

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func TestApplyLayerWhiteoutsAndOpaque(t *testing.T) {
	img := mkImage(t,
		[]string{"a/", "a/x=1", "a/y=2", "b/", "b/z=3", "c=4"},
		[]string{"a/.wh..wh..opq", "a/new=5", ".wh.b", "c/", "c/in=6"},
	)
	var got []string
	img.Walk(func(e *Entry) { got = append(got, e.Path) })
	want := []string{"/a", "/a/new", "/c", "/c/in"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tree %v, want %v", got, want)
	}
}

func TestDiffLayerKindsAndOrder(t *testing.T) {
	img := mkImage(t, []string{"etc/", "etc/motd=hi", "etc/keep=k", "tmp/", "opt/", "opt/a=1", "opt/b=2", "l->etc"})
	upper, err := ReadChanges(mkTar(t,
		"etc/", "etc/.wh.motd",
		"opt/", "opt/.wh..wh..opq", "opt/b=22",
		"tmp/", "tmp/y=1", "tmp/x=1",
		".wh.l", "l/",
		"new/", "new/f|",
	), ReadOptions{Keep: KeepAll})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := DiffLayer(img, upper)
	if err != nil {
		t.Fatal(err)
	}
	want := "C /etc\nD /etc/motd\nC /l\nA /new\nA /new/f\nC /opt\nC /opt/b\nD /opt/a\nC /tmp\nA /tmp/x\nA /tmp/y\n"
	if got := Lines(changes); got != want {
		t.Fatalf("DiffLayer:\n%s\nwant:\n%s", got, want)
	}
	// The same container seen whole gives the same answer.
	whole, err := Diff(img, &Overlay{Lower: img, Upper: upper})
	if err != nil {
		t.Fatal(err)
	}
	if got := Lines(whole); got != want {
		t.Fatalf("Diff of the merged view:\n%s\nwant:\n%s", got, want)
	}
}

func TestNoFalseChanges(t *testing.T) {
	img := mkImage(t, []string{"etc/", "etc/passwd=root", "etc/group=g"})
	// Copied up with equal metadata and content: not a change. Equal
	// metadata but other content (same size, same mtime): a change the
	// engine's stat comparison would miss.
	upper, err := ReadChanges(mkTar(t, "etc/", "etc/passwd=root", "etc/group=G"), ReadOptions{Keep: KeepAll})
	if err != nil {
		t.Fatal(err)
	}
	changes, err := DiffLayer(img, upper)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Lines(changes), "C /etc\nC /etc/group\n"; got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestStatRules(t *testing.T) {
	f := &Entry{Path: "/f", Mode: 0o644, Size: 3, ModTime: t0}
	same := *f
	same.ModTime = t0.Add(500) // the tar side lost its nanoseconds
	if statDifferent(f, &same) {
		t.Error("a time equal but for the nanoseconds one side lacks is the same")
	}
	chmod := *f
	chmod.Mode = 0o600
	if !statDifferent(f, &chmod) {
		t.Error("a chmod is a change")
	}
	d := &Entry{Path: "/d", Mode: fs.ModeDir | 0o755, ModTime: t0}
	touched := *d
	touched.ModTime = t0.Add(1e9)
	if statDifferent(d, &touched) {
		t.Error("a directory's mtime alone is not a change")
	}
	chown := *d
	chown.UID = 1000
	if !statDifferent(d, &chown) {
		t.Error("a directory's owner is")
	}
}

func TestModeString(t *testing.T) {
	for m, want := range map[fs.FileMode]string{
		0o644:                                     "-rw-r--r--",
		fs.ModeDir | 0o755:                        "drwxr-xr-x",
		fs.ModeSymlink | 0o777:                    "lrwxrwxrwx",
		fs.ModeDir | fs.ModeSticky | 0o777:        "drwxrwxrwt",
		fs.ModeSetuid | 0o755:                     "-rwsr-xr-x",
		fs.ModeSetgid | 0o640:                     "-rw-r-S---",
		fs.ModeDevice | fs.ModeCharDevice | 0o620: "crw--w----",
		fs.ModeNamedPipe | 0o644:                  "prw-r--r--",
	} {
		if got := (&Entry{Mode: m}).ModeString(); got != want {
			t.Errorf("%v: %q, want %q", m, got, want)
		}
	}
}

func TestFilter(t *testing.T) {
	changes, _ := ParseDockerDiff("C /etc\nC /etc/a.conf\nA /etc/b.txt\nC /tmp\nA /tmp/x\n")
	for pats, want := range map[string]string{
		"/tmp":        "C /tmp\nA /tmp/x\n",
		"/etc/*.conf": "C /etc/a.conf\n",
		"etc/b.txt":   "A /etc/b.txt\n",
		"/nothing":    "",
	} {
		if got := Lines(Filter(changes, []string{pats})); got != want {
			t.Errorf("%s: %q, want %q", pats, got, want)
		}
	}
}

func TestCanonical(t *testing.T) {
	changes, err := ParseDockerDiff("C /tmp\nA /tmp/b\nD /tmp/z\nA /tmp/a\nC /etc\nD /etc/motd\nC /etc/x\n")
	if err != nil {
		t.Fatal(err)
	}
	want := "C /etc\nC /etc/x\nD /etc/motd\nC /tmp\nA /tmp/a\nA /tmp/b\nD /tmp/z\n"
	if got := Lines(Canonical(changes)); got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	if _, err := ParseDockerDiff("X /a\n"); err == nil {
		t.Error("a bad line parses")
	}
}

func TestBadTar(t *testing.T) {
	junk := strings.NewReader(strings.Repeat("not a tar\n", 100))
	if err := NewTree().ApplyLayer(junk, ReadOptions{}); err == nil {
		t.Fatal("junk read as a tar")
	}
}

// AUFS metadata is not part of the filesystem, a link into its hard link
// store is the file stored there, and no name reaches outside the root.
func TestAUFSMetadataAndNamesOutsideTheRoot(t *testing.T) {
	img := mkImage(t, []string{
		".wh..wh.plnk/", ".wh..wh.plnk/1.2=shared", ".wh..wh.aufs", ".wh..wh.orph/",
		"bin/", "bin/tool=>.wh..wh.plnk/1.2",
	})
	var got []string
	img.Walk(func(e *Entry) { got = append(got, e.Path+" "+e.ModeString()) })
	if want := []string{"/bin drwxr-xr-x", "/bin/tool -rw-r--r--"}; !reflect.DeepEqual(got, want) {
		t.Errorf("tree %q, want %q", got, want)
	}
	if b, ok := readText(img, "/bin/tool"); !ok || string(b) != "shared" {
		t.Errorf("/bin/tool holds %q", b)
	}
	if err := NewTree().ApplyLayer(mkTar(t, "a/../../etc/passwd=x"), ReadOptions{}); err == nil || !strings.Contains(err.Error(), `".." component`) {
		t.Errorf("a name outside the root: %v", err)
	}
}
