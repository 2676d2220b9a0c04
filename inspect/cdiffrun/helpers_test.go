package cdiffrun

import (
	"bytes"
	"testing"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/imagetest"
)

// mkTar writes a layer of imagetest.Members descriptions: "dir/",
// "file=content", "link->target", ".wh.name", "pipe|".
func mkTar(t *testing.T, members ...string) *bytes.Reader {
	t.Helper()
	return bytes.NewReader(imagetest.Tar(t, imagetest.Members(members...)...))
}

func mkImage(t *testing.T, layers ...[]string) *cdiff.Tree {
	t.Helper()
	tr := cdiff.NewTree()
	for _, l := range layers {
		if err := tr.ApplyLayer(mkTar(t, l...), cdiff.ReadOptions{Keep: cdiff.KeepAll}); err != nil {
			t.Fatal(err)
		}
	}
	return tr
}
