package layertar_test

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/inspect/layertar"
)

// read lists what Read delivers, one line per entry.
func read(t *testing.T, b []byte, o layertar.Options) ([]string, error) {
	t.Helper()
	var out []string
	n, err := layertar.Read(bytes.NewReader(b), o, func(e *layertar.Entry) error {
		s := fmt.Sprintf("%s %q", [...]string{"put", "whiteout", "opaque"}[e.Op], e.Path)
		if e.Op == layertar.Put {
			s += " " + string(e.Header.Typeflag)
		}
		if e.Link != "" {
			s += " link=" + e.Link
		}
		if e.Digest != "" {
			s += " " + e.Digest
		}
		if e.Content != nil {
			s += " content=" + string(e.Content)
		}
		out = append(out, s)
		return nil
	})
	if err == nil && n != int64(len(b)) {
		t.Errorf("read %d bytes of a %d-byte tar", n, len(b))
	}
	return out, err
}

func TestOpsOfEveryKindOfMember(t *testing.T) {
	b := imagetest.Tar(t,
		imagetest.Dir("./"),
		imagetest.Dir("./etc/"),
		imagetest.Text("/etc/motd", "hi"),
		imagetest.Whiteout("etc/passwd"),
		imagetest.Opaque("var/cache"),
		imagetest.Opaque(""),
		imagetest.Symlink("bin/sh", "/bin/busybox"),
		imagetest.Hardlink("bin/ash", "/bin//./busybox"),
		imagetest.Device("dev/null", tar.TypeChar, 1, 3),
		imagetest.File{Name: "x", Type: tar.TypeXGlobalHeader, PAX: map[string]string{"comment": "global"}},
	)
	got, err := read(t, b, layertar.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`put "" 5`,
		`put "etc" 5`,
		`put "etc/motd" 0`,
		`whiteout "etc/passwd"`,
		`opaque "var/cache"`,
		`opaque ""`,
		`put "bin/sh" 2`,
		`put "bin/ash" 1 link=bin/busybox`,
		`put "dev/null" 3`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// AUFS keeps hard link targets in /.wh..wh.plnk and other metadata in
// /.wh..wh.*: none of it is a path of the image, and a link into the
// store is the file stored there (as the Docker engine applies it).
func TestAUFSMetadata(t *testing.T) {
	b := imagetest.Tar(t,
		imagetest.Dir(".wh..wh.plnk/"),
		imagetest.Text(".wh..wh.plnk/1234.5678", "shared"),
		imagetest.Dir(".wh..wh.aufs/"),
		imagetest.Text(".wh..wh.aufs/x", "meta"),
		imagetest.Dir(".wh..wh.orph/"),
		imagetest.Hardlink("usr/bin/tool", ".wh..wh.plnk/1234.5678"),
		imagetest.Text("usr/.wh..wh.aufs", ""),
	)
	got, err := read(t, b, layertar.Options{Digests: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf(`put "usr/bin/tool" 0 sha256:%x`, sha256.Sum256([]byte("shared")))}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestNamesOutsideTheImageAreErrors(t *testing.T) {
	for _, c := range []struct {
		member imagetest.File
		want   string
	}{
		{imagetest.Text("a/../../etc/shadow", "x"), `path "a/../../etc/shadow" has a ".." component`},
		{imagetest.Text("/../etc/shadow", "x"), `path "/../etc/shadow" has a ".." component`},
		{imagetest.Whiteout("../.wh.etc"), `has a ".." component`},
		{imagetest.Hardlink("x", "../../etc/shadow"), `hard link /x: path "../../etc/shadow" has a ".." component`},
		{imagetest.Text("dir/.wh.", ""), `whiteout "dir/.wh." names no file`},
		{imagetest.Text("opt/.wh..", ""), `whiteout "opt/.wh.." names no file`},
		{imagetest.Text(".wh..", ""), `whiteout ".wh.." names no file`},
		{imagetest.Text("opt/.wh...", ""), `whiteout "opt/.wh..." has a ".." component`},
	} {
		_, err := read(t, imagetest.Tar(t, imagetest.Text("ok", "1"), c.member), layertar.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.member.Name, err, c.want)
		}
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"": "", ".": "", "./": "", "/": "", "a": "a", "./a/b/": "a/b", "/a//b/./c": "a/b/c", "a/.../b": "a/.../b",
	} {
		if got, err := layertar.Clean(in); err != nil || got != want {
			t.Errorf("Clean(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func TestDigestsAndKeptContent(t *testing.T) {
	big := strings.Repeat("b", 100)
	b := imagetest.Tar(t, imagetest.Text("small", "hello"), imagetest.Text("big", big), imagetest.Text("other", "no"))
	sum := func(s string) string { return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(s))) }
	got, err := read(t, b, layertar.Options{MaxKeep: 50, Keep: func(e *layertar.Entry) bool {
		if e.Digest == "" {
			t.Errorf("%s: Keep asked before hashing", e.Path)
		}
		return e.Path != "other"
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`put "small" 0 ` + sum("hello") + " content=hello",
		`put "big" 0 ` + sum(big), // larger than MaxKeep
		`put "other" 0 ` + sum("no"),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got, _ := read(t, b, layertar.Options{}); strings.Contains(strings.Join(got, ""), "sha256") {
		t.Errorf("hashed without being asked: %q", got)
	}
}

func TestBrokenStreams(t *testing.T) {
	b := imagetest.Tar(t, imagetest.Sized("a", 4000), imagetest.Sized("b", 4000))
	corrupt := append([]byte{}, b...)
	copy(corrupt[148:156], "garbage!") // the first header's checksum field
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"truncated":      {b[:700], "unexpected EOF"},
		"corrupt header": {corrupt, "reading tar entry 1"},
		"junk":           {bytes.Repeat([]byte("not a tar\n"), 100), "reading tar entry 1"},
	} {
		if _, err := read(t, c.b, layertar.Options{Digests: true}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", name, err, c.want)
		}
	}
}
