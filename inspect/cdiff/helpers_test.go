package cdiff

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func fmtSprint(a ...any) string { return strings.TrimSuffix(fmt.Sprintln(a...), "\n") }

var t0 = imagetest.T0

// mkTar writes a layer of imagetest.Members descriptions: "dir/",
// "file=content", "link->target", ".wh.name", "pipe|".
func mkTar(t *testing.T, members ...string) *bytes.Reader {
	t.Helper()
	return bytes.NewReader(imagetest.Tar(t, imagetest.Members(members...)...))
}

func mkImage(t *testing.T, layers ...[]string) *Tree {
	t.Helper()
	tr := NewTree()
	for _, l := range layers {
		if err := tr.ApplyLayer(mkTar(t, l...), ReadOptions{Keep: KeepAll}); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}
