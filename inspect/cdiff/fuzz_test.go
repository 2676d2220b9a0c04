package cdiff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// diffSeeds are image and container layers (imagetest.Members
// descriptions, one member a line): the cases of the tests above, and
// the shapes a container's changes take (a file replaced by a directory
// and back, whiteouts of what is not there, opaque directories, links).
var diffSeeds = [][2]string{
	{"etc/\netc/motd=hi\netc/keep=k\ntmp/\nopt/\nopt/a=1\nopt/b=2\nl->etc",
		"etc/\netc/.wh.motd\nopt/\nopt/.wh..wh..opq\nopt/b=22\ntmp/\ntmp/y=1\ntmp/x=1\n.wh.l\nl/\nnew/\nnew/f|"},
	{"etc/\netc/passwd=root\netc/group=g", "etc/\netc/passwd=root\netc/group=G"},
	{"a/\na/x=1\nb=2", "a\n.wh.b\nb/\nb/c=3"},
	{"a=1\nd/\nd/e/\nd/e/f=2", ".wh.nothing\nd/\nd/.wh.e\nd/e=3\nx/\nx/.wh..wh..opq"},
	{"bin/\nbin/sh->busybox\nbin/busybox=bb", "bin/\nbin/sh=>bin/busybox\nbin/.wh.busybox\nbin/ls->/bin/sh"},
	{"", "a/\na/b/\na/b/c/\na/b/c/d=deep\n.wh..wh..opq"},
	{"x/\nx/y/\nx/y/z=1", "x/\nx/y\nx/.wh.y"},
}

// FuzzDiffWalker compares the two walkers on any image and container
// layer: DiffLayer, which visits only what the container's layer holds,
// must find exactly the changes Diff finds walking the merged view of
// the whole filesystem. Inputs that do not make a tar are skipped;
// nothing may panic.
func FuzzDiffWalker(f *testing.F) {
	for _, s := range diffSeeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, lower, upper string) {
		lt, ok := tarOfLines(lower)
		if !ok {
			return
		}
		ut, ok := tarOfLines(upper)
		if !ok {
			return
		}
		img := NewTree()
		if err := img.ApplyLayer(bytes.NewReader(lt), ReadOptions{Keep: KeepAll}); err != nil {
			return // refused: names outside the image, a broken tar
		}
		changes, err := ReadChanges(bytes.NewReader(ut), ReadOptions{Keep: KeepAll})
		if err != nil {
			return
		}
		fromLayer, lerr := DiffLayer(img, changes)
		whole, werr := Diff(img, &Overlay{Lower: img, Upper: changes})
		if (lerr == nil) != (werr == nil) {
			t.Fatalf("DiffLayer error %v, Diff error %v", lerr, werr)
		}
		if got, want := Lines(fromLayer), Lines(whole); got != want {
			t.Fatalf("DiffLayer found\n%s\nDiff of the merged view found\n%s", got, want)
		}
	})
}

// tarOfLines is the tar of imagetest.Members descriptions, one a line;
// false when archive/tar cannot write them.
func tarOfLines(desc string) ([]byte, bool) {
	var lines []string
	for _, l := range strings.Split(desc, "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	var buf bytes.Buffer
	if err := imagetest.WriteTar(&buf, imagetest.Members(lines...)...); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}
