package fold

import (
	"testing"

	"github.com/buildscope/buildscope/model/dockerfile"
	"github.com/buildscope/buildscope/model/modeltest"
)

// The FROM of a build after `builder prune` (recorded on the embedded
// builder) keeps the layer BuildKit fetched, with its size, and that it
// unpacked it; no other step keeps any.
func TestFromKeepsThePulledLayers(t *testing.T) {
	plan, err := dockerfile.Parse("Dockerfile", []byte("FROM 127.0.0.1:5015/buildscope/busybox:latest\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "testdata/from-pulled.events.jsonl"))
	from := b.Stages[0].Steps[0]
	if len(from.Pulled) != 1 {
		t.Fatalf("FROM %q pulled %+v, want one layer", from.Name, from.Pulled)
	}
	if l := from.Pulled[0]; l.Digest != "sha256:529577cb0b05576f050ac23695807f287ca1760807da432bd7bab5ec9fda5bba" || l.SizeBytes != 1148963 || !l.Extracted {
		t.Errorf("pulled %+v", l)
	}
	for _, st := range append(b.Stages[0].Steps[1:], b.Other...) {
		if len(st.Pulled) > 0 {
			t.Errorf("%s pulled %+v", st.Name, st.Pulled)
		}
	}
}
