package cdiff

import (
	"archive/tar"
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"
)

func fmtSprint(a ...any) string { return strings.TrimSuffix(fmt.Sprintln(a...), "\n") }

var t0 = time.Unix(1700000000, 0)

// member is one tar member for mkTar: "dir/", "file=content", "link->target",
// ".wh.name", "pipe|".
func mkTar(t *testing.T, members ...string) *bytes.Reader {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{ModTime: t0, Mode: 0o644, Format: tar.FormatPAX}
		var body string
		switch {
		case strings.HasSuffix(m, "/"):
			h.Typeflag, h.Name, h.Mode = tar.TypeDir, m, 0o755
		case strings.Contains(m, "->"):
			p := strings.SplitN(m, "->", 2)
			h.Typeflag, h.Name, h.Linkname, h.Mode = tar.TypeSymlink, p[0], p[1], 0o777
		case strings.HasSuffix(m, "|"):
			h.Typeflag, h.Name = tar.TypeFifo, strings.TrimSuffix(m, "|")
		case strings.Contains(m, "="):
			p := strings.SplitN(m, "=", 2)
			h.Typeflag, h.Name, body = tar.TypeReg, p[0], p[1]
			h.Size = int64(len(body))
		default:
			h.Typeflag, h.Name = tar.TypeReg, m
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.NewReader(buf.Bytes())
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
