// Package imagetest builds the layers and images tests need, from a short
// description, as go-containerregistry's random.Image does: tar members
// (files with content and mode, directories, symlinks, hard links,
// devices, whiteouts, opaque directories), layers, images with history,
// OCI layouts, docker-save tars and compressed blobs.
//
//	img := imagetest.Image(t,
//		imagetest.Members("etc/", "etc/motd=hi", "bin/sh->busybox"),
//		[]imagetest.File{imagetest.Whiteout("etc/motd"), imagetest.Sized("big", 1<<20)},
//	)
package imagetest

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// T0 is the modification time of every member that sets none.
var T0 = time.Unix(1700000000, 0)

// File is one tar member.
type File struct {
	// Name is the member's name as the tar holds it ("etc/", "a/.wh.b").
	Name string
	// Type is the tar type flag; 0 is a regular file.
	Type byte
	// Body is a regular file's content; when empty, Size bytes of 'x'.
	Body string
	Size int
	// Link is a symlink's or hard link's target.
	Link string
	// Mode is the permission bits; 0 means 0644, 0755 for directories,
	// 0777 for symlinks.
	Mode int64
	// UID and GID own the member.
	UID, GID int
	// Major and Minor number a device.
	Major, Minor int64
	// ModTime is the modification time; zero means T0.
	ModTime time.Time
	// PAX are extra PAX records (xattrs: "SCHILY.xattr.NAME").
	PAX map[string]string
}

// Text is a regular file holding body.
func Text(name, body string) File { return File{Name: name, Type: tar.TypeReg, Body: body} }

// Sized is a regular file of size bytes.
func Sized(name string, size int) File { return File{Name: name, Type: tar.TypeReg, Size: size} }

// Dir is a directory.
func Dir(name string) File { return File{Name: name, Type: tar.TypeDir} }

// Symlink is a symbolic link to target.
func Symlink(name, target string) File { return File{Name: name, Type: tar.TypeSymlink, Link: target} }

// Hardlink is a hard link to target.
func Hardlink(name, target string) File { return File{Name: name, Type: tar.TypeLink, Link: target} }

// Device is a device node or FIFO of type typ (tar.TypeChar, TypeBlock,
// TypeFifo).
func Device(name string, typ byte, major, minor int64) File {
	return File{Name: name, Type: typ, Major: major, Minor: minor}
}

// Whiteout is the marker that removes p from the layers below.
func Whiteout(p string) File {
	dir, base := path.Split(p)
	return File{Name: dir + ".wh." + base, Type: tar.TypeReg}
}

// Opaque is the marker that hides the lower layers' children of dir.
func Opaque(dir string) File {
	return File{Name: path.Join(dir, ".wh..wh..opq"), Type: tar.TypeReg}
}

// Members parses short descriptions, one per member: "dir/" a directory,
// "name=content" a file, "name" an empty file, "name->target" a symlink,
// "name=>target" a hard link, "name|" a FIFO. Whiteouts are files named
// ".wh.NAME"; opaque markers ".wh..wh..opq".
func Members(desc ...string) []File {
	var out []File
	for _, m := range desc {
		var f File
		switch {
		case strings.HasSuffix(m, "/"):
			f = Dir(m)
		case strings.Contains(m, "=>"):
			p := strings.SplitN(m, "=>", 2)
			f = Hardlink(p[0], p[1])
		case strings.Contains(m, "->"):
			p := strings.SplitN(m, "->", 2)
			f = Symlink(p[0], p[1])
		case strings.HasSuffix(m, "|"):
			f = Device(strings.TrimSuffix(m, "|"), tar.TypeFifo, 0, 0)
		case strings.Contains(m, "="):
			p := strings.SplitN(m, "=", 2)
			f = Text(p[0], p[1])
		default:
			f = Text(m, "")
		}
		out = append(out, f)
	}
	return out
}

// Header is the tar header Tar writes for f.
func (f File) Header() *tar.Header {
	typ := f.Type
	switch typ {
	case 0:
		typ = tar.TypeReg
	case tar.TypeXGlobalHeader:
		return &tar.Header{Name: f.Name, Typeflag: typ, PAXRecords: f.PAX, Format: tar.FormatPAX}
	}
	mode := f.Mode
	if mode == 0 {
		switch typ {
		case tar.TypeDir:
			mode = 0o755
		case tar.TypeSymlink:
			mode = 0o777
		default:
			mode = 0o644
		}
	}
	mt := f.ModTime
	if mt.IsZero() {
		mt = T0
	}
	h := &tar.Header{Name: f.Name, Typeflag: typ, Mode: mode, Linkname: f.Link, Uid: f.UID, Gid: f.GID,
		Devmajor: f.Major, Devminor: f.Minor, ModTime: mt, PAXRecords: f.PAX, Format: tar.FormatPAX}
	if typ == tar.TypeReg {
		h.Size = int64(len(f.body()))
	}
	return h
}

func (f File) body() string {
	if f.Body == "" && f.Size > 0 {
		return strings.Repeat("x", f.Size)
	}
	return f.Body
}

// Tar writes files as an uncompressed tar stream.
func Tar(t testing.TB, files ...File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteTar(&buf, files...); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// WriteTar writes files to w as a tar stream, end marker included.
func WriteTar(w io.Writer, files ...File) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		if err := tw.WriteHeader(f.Header()); err != nil {
			return fmt.Errorf("writing %q: %w", f.Name, err)
		}
		if f.Type == 0 || f.Type == tar.TypeReg {
			if _, err := io.WriteString(tw, f.body()); err != nil {
				return err
			}
		}
	}
	return tw.Close()
}

// LayerOf makes a go-containerregistry layer of an uncompressed tar.
func LayerOf(t testing.TB, b []byte, opts ...tarball.LayerOption) v1.Layer {
	t.Helper()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// Layer makes a layer of files.
func Layer(t testing.TB, files ...File) v1.Layer {
	t.Helper()
	return LayerOf(t, Tar(t, files...))
}

// Image stacks layers of files on an empty image; layer i's history says
// "step A", "step B"….
func Image(t testing.TB, layers ...[]File) v1.Image {
	t.Helper()
	var adds []mutate.Addendum
	for i, files := range layers {
		adds = append(adds, mutate.Addendum{Layer: Layer(t, files...),
			History: v1.History{CreatedBy: "step " + string(rune('A'+i))}})
	}
	return ImageOf(t, adds...)
}

// ImageOf appends addenda (layers with history, or history alone) to an
// empty image.
func ImageOf(t testing.TB, adds ...mutate.Addendum) v1.Image {
	t.Helper()
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
