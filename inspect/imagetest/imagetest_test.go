package imagetest_test

import (
	"archive/tar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/buildrun/testdeps"
	"github.com/buildscope/buildscope/inspect/imagetest"
)

// GNU tar is the oracle for what Tar writes.
func TestTarAsGNUTarListsIt(t *testing.T) {
	testdeps.Tool(t, "tar")
	files := append(imagetest.Members("etc/", "etc/motd=hello", "bin/sh->busybox", "bin/ash=>bin/busybox", "run/fifo|"),
		imagetest.Whiteout("var/cache"), imagetest.Opaque("opt"),
		imagetest.File{Name: "bin/busybox", Size: 1000, Mode: 0o4755, UID: 7, GID: 8},
		imagetest.Device("dev/null", tar.TypeChar, 1, 3))
	p := filepath.Join(t.TempDir(), "l.tar")
	if err := os.WriteFile(p, imagetest.Tar(t, files...), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("tar", "--numeric-owner", "-tvf", p).CombinedOutput()
	if err != nil {
		t.Fatalf("tar: %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(l) // mode owner size-or-dev date time name [-> target | link to target]
		got = append(got, f[0]+" "+f[1]+" "+f[2]+" "+strings.Join(f[5:], " "))
	}
	want := []string{
		"drwxr-xr-x 0/0 0 etc/",
		"-rw-r--r-- 0/0 5 etc/motd",
		"lrwxrwxrwx 0/0 0 bin/sh -> busybox",
		"hrw-r--r-- 0/0 0 bin/ash link to bin/busybox",
		"prw-r--r-- 0/0 0 run/fifo",
		"-rw-r--r-- 0/0 0 var/.wh.cache",
		"-rw-r--r-- 0/0 0 opt/.wh..wh..opq",
		"-rwsr-xr-x 7/8 1000 bin/busybox",
		"crw-r--r-- 0/0 1,3 dev/null",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tar -tv lists\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A docker-save tar reads back, through go-containerregistry, as the
// image written.
func TestWriteDockerSaveReadsBack(t *testing.T) {
	img := imagetest.Image(t, imagetest.Members("a=1"), imagetest.Members("b=2", ".wh.a"))
	back, err := tarball.ImageFromPath(imagetest.WriteDockerSave(t, t.TempDir(), img, "example.test/x:1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigFile()
	got, err := back.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(got.RootFS.DiffIDs) != 2 || got.RootFS.DiffIDs[1] != want.RootFS.DiffIDs[1] || got.History[1].CreatedBy != "step B" {
		t.Errorf("read back %+v, want %+v", got.RootFS, want.RootFS)
	}
}
