package cdiffrun

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/inspect/cdiff"
)

func TestNewRunnerFollowsTheBuilder(t *testing.T) {
	if _, ok := NewRunner(&builder.Builder{Kind: builder.KindDocker}, state.Paths{}).(*EngineRunner); !ok {
		t.Error("the docker builder does not run on the engine")
	}
	for _, k := range []string{builder.KindEmbedded, builder.KindRemote} {
		if _, ok := NewRunner(&builder.Builder{Kind: k}, state.Paths{}).(*BuildKitRunner); !ok {
			t.Errorf("builder %s does not run on BuildKit", k)
		}
	}
}

// A docker export holds the whole container, the engine's init layer
// included; changes are what differs from the image under that layer.
func TestExportChanges(t *testing.T) {
	base := mkImage(t, []string{"etc/", "etc/motd=hello", "etc/keep=k", "bin/", "bin/sh=sh", "old=gone soon"})
	export := mkTar(t, "etc/", "etc/motd=bye!!", "etc/keep=k", "etc/hosts=127.0.0.1 x", "bin/", "bin/sh=sh",
		".dockerenv", "tmp/", "tmp/new=1")
	var reread map[string]bool
	res, err := exportChanges(base, export, true, func(keep map[string]bool) (*cdiff.Tree, error) {
		reread = keep
		return mkImage(t, []string{"etc/", "etc/motd=hello", "etc/keep=k", "bin/", "bin/sh=sh", "old=gone soon"}), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cdiff.Lines(res.Changes), "C /etc\nC /etc/motd\nA /tmp\nA /tmp/new\nD /old\n"; got != want {
		t.Fatalf("changes:\n%s\nwant:\n%s", got, want)
	}
	for _, c := range res.Changes {
		if c.Path == "/old" && c.SizeBytes() != int64(len("gone soon")) {
			t.Errorf("deleted /old: %d bytes, want its size in the image", c.SizeBytes())
		}
	}
	// For content diffs the image is read again keeping the changed files.
	if !reflect.DeepEqual(reread, map[string]bool{"/etc": true, "/etc/motd": true}) {
		t.Errorf("reread %v, want the changed files", reread)
	}
	cdiff.AddContentDiffs(res.Old, res.New, res.Changes)
	var motd string
	for _, c := range res.Changes {
		if c.Path == "/etc/motd" {
			motd = c.Diff
		}
	}
	if !strings.Contains(motd, "-hello") || !strings.Contains(motd, "+bye!!") {
		t.Errorf("content diff of /etc/motd:\n%s", motd)
	}
	// Without content nothing is read again.
	reread = nil
	if _, err := exportChanges(mkImage(t, []string{"a=1"}), mkTar(t, "a=2"), false, func(keep map[string]bool) (*cdiff.Tree, error) {
		reread = keep
		return nil, nil
	}); err != nil || reread != nil {
		t.Errorf("without content: err %v, reread %v", err, reread)
	}
}

func TestOverlayDirs(t *testing.T) {
	if _, _, why := overlayDirs("vfs", nil); !strings.Contains(why, `"vfs", not overlay2`) {
		t.Errorf("vfs: %q", why)
	}
	if _, _, why := overlayDirs("overlay2", map[string]string{"UpperDir": "/x"}); !strings.Contains(why, "does not say where") {
		t.Errorf("no LowerDir: %q", why)
	}
	dir := t.TempDir()
	up, lo1, lo2 := filepath.Join(dir, "up"), filepath.Join(dir, "l1"), filepath.Join(dir, "l2")
	for _, d := range []string{up, lo1, lo2} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	upper, lowers, why := overlayDirs("overlay2", map[string]string{"UpperDir": up, "LowerDir": lo1 + ":" + lo2})
	if why != "" || upper != up || !reflect.DeepEqual(lowers, []string{lo1, lo2}) {
		t.Errorf("readable dirs: %q %v %q", upper, lowers, why)
	}
	if _, _, why := overlayDirs("overlay2", map[string]string{"UpperDir": up, "LowerDir": filepath.Join(dir, "missing")}); !strings.Contains(why, "cannot read the container's layers here") {
		t.Errorf("missing lower dir: %q", why)
	}
}
