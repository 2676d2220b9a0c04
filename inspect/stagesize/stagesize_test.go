package stagesize

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func TestMeasureAppliesWhiteoutsAndOpaqueDirs(t *testing.T) {
	img := imagetest.Image(t,
		imagetest.Members("a/", "a/x=xx", "a/y=yyy", "b/", "b/old=old", "c=c"),
		imagetest.Members("a/.wh.x", "b/.wh..wh..opq", "b/new=new!"),
	)
	cache := t.TempDir()
	for pass := 0; pass < 2; pass++ { // the second pass reads the cached indexes
		r, err := Measurer{Cache: cache}.Measure(img)
		if err != nil {
			t.Fatal(err)
		}
		for _, gone := range []string{"/a/x", "/b/old"} {
			if _, ok := r.Files[gone]; ok {
				t.Errorf("pass %d: %s survived its whiteout", pass, gone)
			}
		}
		for p, size := range map[string]int64{"/a/y": 3, "/b/new": 4, "/c": 1} {
			if f, ok := r.Files[p]; !ok || f.Size != size || f.Digest == "" {
				t.Errorf("pass %d: %s = %+v", pass, p, f)
			}
		}
		if r.Layers != 2 || r.Uncompressed == 0 || r.Compressed == 0 {
			t.Errorf("pass %d: sizes %+v", pass, r)
		}
	}
}

func TestMeasureCorruptLayer(t *testing.T) {
	bad := imagetest.LayerOf(t, []byte("this is not a tar stream at all, just bytes that go on and on ........"))
	img := imagetest.ImageOf(t, mutate.Addendum{Layer: bad})
	if _, err := (Measurer{}).Measure(img); err == nil {
		t.Error("a corrupt layer measured without error")
	}
}

// AUFS's metadata is not a file of the image, and a hard link into its
// store is the file stored there, content digest and all.
func TestMeasureSkipsAUFSMetadata(t *testing.T) {
	img := imagetest.Image(t,
		imagetest.Members(".wh..wh.plnk/", ".wh..wh.plnk/7.8=stored", ".wh..wh.aufs", "bin/", "bin/tool=>.wh..wh.plnk/7.8"),
		imagetest.Members("etc/", "etc/tool=stored"),
	)
	r, err := Measurer{}.Measure(img)
	if err != nil {
		t.Fatal(err)
	}
	for p := range r.Files {
		if p != "/" && p != "/bin" && p != "/bin/tool" && p != "/etc" && p != "/etc/tool" {
			t.Errorf("unexpected path %s", p)
		}
	}
	if a, b := r.Files["/bin/tool"], r.Files["/etc/tool"]; a.Size != 6 || a.Digest == "" || a.Digest != b.Digest {
		t.Errorf("/bin/tool %+v, /etc/tool %+v: want the same 6 bytes", a, b)
	}
}
