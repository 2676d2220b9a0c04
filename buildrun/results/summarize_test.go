package results

import (
	"errors"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/buildscope/buildscope/model/fold"
)

// TestSummarizeImageSizes: size_bytes is the layers' content (what
// the content sizer measures), compressed_bytes the manifest's blob sizes; the
// history entries that made a layer get its content; without a measure,
// the content is unknown and the steps' sizes are not known, never the
// compressed sizes under the name of size.
func TestSummarizeImageSizes(t *testing.T) {
	img, err := random.Image(1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	var comp int64
	for _, l := range m.Layers {
		comp += l.Size
	}
	hist := func() []fold.HistoryEntry {
		return []fold.HistoryEntry{{CreatedBy: "FROM x"}, {CreatedBy: "ENV A=1", EmptyLayer: true}, {CreatedBy: "RUN y"}}
	}
	measured := func(v1.Image) ([]int64, error) { return []int64{700, 300}, nil }
	h := hist()
	sum, err := SummarizeImage("sha256:x", img, h, measured)
	if err != nil {
		t.Fatal(err)
	}
	if sum.SizeBytes != 1000 || sum.CompressedBytes != comp || sum.Layers[1].SizeBytes != 300 || sum.Layers[1].CompressedBytes != m.Layers[1].Size {
		t.Errorf("summary %+v, want content 1000 and compressed %d", sum, comp)
	}
	if h[0].SizeBytes != 700 || h[2].SizeBytes != 300 || !SizesKnown(h) {
		t.Errorf("history sizes %+v, want the layers' content", h)
	}
	unreadable := func(v1.Image) ([]int64, error) { return nil, errors.New("unreadable") }
	h = hist()
	if sum, _ = SummarizeImage("sha256:x", img, h, unreadable); sum.SizeBytes != 0 || sum.CompressedBytes != comp || SizesKnown(h) {
		t.Errorf("unmeasured: summary %+v, history %+v: want the content and the steps' sizes unknown", sum, h)
	}
}

// TestSummarizeImageWithoutASizer: no sizer leaves the content unknown,
// as a sizer that fails does.
func TestSummarizeImageWithoutASizer(t *testing.T) {
	img, err := random.Image(1000, 2)
	if err != nil {
		t.Fatal(err)
	}
	h := []fold.HistoryEntry{{CreatedBy: "FROM x"}, {CreatedBy: "RUN y"}}
	if sum, err := SummarizeImage("sha256:x", img, h, nil); err != nil || sum.SizeBytes != 0 || SizesKnown(h) {
		t.Errorf("summary %+v (%v), history %+v: want the content unknown", sum, err, h)
	}
}
