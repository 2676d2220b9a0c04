package layers

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// te is one tar entry a test writes: name, type flag, content or link.
type te struct {
	name  string
	typ   byte
	body  string // regular files: content
	size  int    // regular files: content of this many bytes when body is ""
	link  string
	mode  int64
	major int64
}

func file(name string, size int) te                { return te{name: name, typ: tar.TypeReg, size: size} }
func dir(name string) te                           { return te{name: name, typ: tar.TypeDir} }
func whiteout(name string) te                      { return file(name, 0) }
func symlink(name, target string) te               { return te{name: name, typ: tar.TypeSymlink, link: target} }
func hardlink(name, target string) te              { return te{name: name, typ: tar.TypeLink, link: target} }
func textFile(name, body string) te                { return te{name: name, typ: tar.TypeReg, body: body} }
func device(name string, typ byte, major int64) te { return te{name: name, typ: typ, major: major} }

// tarBytes writes entries as a tar stream.
func tarBytes(t testing.TB, entries ...te) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		body := e.body
		if body == "" && e.size > 0 {
			body = strings.Repeat("x", e.size)
		}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
			if e.typ == tar.TypeDir {
				mode = 0o755
			}
		}
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: mode, Linkname: e.link,
			Size: int64(len(body)), Devmajor: e.major, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("writing %q: %v", e.name, err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// layer makes a real go-containerregistry layer from tar bytes.
func layer(t testing.TB, b []byte, opts ...tarball.LayerOption) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// image stacks layers, each a list of tar entries, with history.
func image(t testing.TB, layers ...[]te) v1.Image {
	t.Helper()
	var adds []mutate.Addendum
	for i, entries := range layers {
		adds = append(adds, mutate.Addendum{Layer: layer(t, tarBytes(t, entries...)),
			History: v1.History{CreatedBy: "step " + string(rune('A'+i))}})
	}
	return imageOf(t, adds...)
}

func imageOf(t testing.TB, adds ...mutate.Addendum) v1.Image {
	t.Helper()
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func analyse(t testing.TB, img v1.Image) *Analysis {
	t.Helper()
	a, err := Analyze(context.Background(), img, Options{})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return a
}

// paths lists the paths a view shows below the root, depth first, with
// "/" after directories, and their change when not unmodified.
func paths(v *View) []string {
	var out []string
	var walk func(NodeID)
	walk = func(id NodeID) {
		for _, n := range v.Children(id, ByName, nil) {
			s := n.Path
			if n.Type == TypeDir {
				s += "/"
			}
			if n.Change != Unmodified {
				s += " " + n.Change.String()
			}
			out = append(out, s)
			walk(n.ID)
		}
	}
	walk(RootID)
	return out
}

func nodeAt(t testing.TB, v *View, p string) Node {
	t.Helper()
	id, ok := v.a.Lookup(p)
	if !ok || !v.Visible(id) {
		t.Fatalf("%s is not in the view of layer %d", p, v.Layer())
	}
	return v.Node(id)
}
