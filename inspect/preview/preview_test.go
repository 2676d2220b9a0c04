package preview

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func TestText(t *testing.T) {
	long := "a" + strings.Repeat("é", Max) // two bytes a rune: Max cuts one, still text
	img := imagetest.Image(t,
		imagetest.Members("etc/", "etc/motd=hello\n", "bin/app=ELF\x00\x01", "lnk->etc/motd"),
		[]imagetest.File{imagetest.Text("./etc/motd", "changed\n"), imagetest.Text("long", long)},
	)
	for _, c := range []struct {
		layer int
		path  string
		want  string
	}{
		{0, "etc/motd", "hello\n"},
		{1, "etc/motd", "changed\n"},
		{0, "bin/app", ""}, // not text
		{1, "long", long[:Max]},
	} {
		got, err := Text(img, c.layer, c.path)
		if err != nil || got != c.want {
			t.Errorf("Text(%d, %s) = %.20q…, %v; want %.20q…", c.layer, c.path, got, err, c.want)
		}
	}
	for _, c := range []struct {
		layer int
		path  string
		want  string
	}{
		{1, "bin/app", "/bin/app is not in layer 1"},
		{0, "lnk", "/lnk is not in layer 0"}, // a symlink has no text of its own
		{2, "etc/motd", "no layer 2"},
	} {
		if _, err := Text(img, c.layer, c.path); err == nil || err.Error() != c.want {
			t.Errorf("Text(%d, %s): error %v, want %q", c.layer, c.path, err, c.want)
		}
	}
}
