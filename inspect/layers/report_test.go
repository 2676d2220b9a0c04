package layers

import (
	"bytes"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func TestReportCarriesTheAnalysis(t *testing.T) {
	img := imagetest.Image(t,
		[]imagetest.File{imagetest.Dir("etc/"), imagetest.Sized("etc/a", 100), imagetest.Sized("etc/b", 50)},
		[]imagetest.File{imagetest.Dir("etc/"), imagetest.Sized("etc/a", 120), imagetest.Whiteout("etc/b")},
	)
	a := analyse(t, img)
	r := NewReport("some-image", "sha256:0123456789abcdef", a)
	if r.Image != "some-image" || r.Digest != "sha256:0123456789abcdef" || len(r.Layers) != 2 {
		t.Fatalf("report %+v", r)
	}
	if r.SizeBytes != a.SizeBytes || r.WastedBytes != a.WastedBytes || r.UserWastedPercent != a.WastedUserPercent || r.Efficiency != a.Efficiency {
		t.Errorf("totals %+v, analysis %+v", r, a)
	}
	l := r.Layers[1]
	if l.Index != 1 || l.Added != 0 || l.Modified != 1 || l.Removed != 1 || l.CreatedBy != "step B" ||
		l.Digest != a.Layers[1].Digest.String() || l.DiffID != a.Layers[1].DiffID.String() {
		t.Errorf("layer 1: %+v", l)
	}
	// Paths are shown as users read them, with a leading slash.
	if len(r.Inefficiencies) == 0 || r.Inefficiencies[0].Path != "/etc/a" || r.Inefficiencies[0].Count != 2 {
		t.Errorf("inefficiencies %+v", r.Inefficiencies)
	}
	// An image without waste still lists none, not null.
	if e := NewReport("x", "", analyse(t, imagetest.Image(t, []imagetest.File{imagetest.Sized("a", 1)}))); e.Inefficiencies == nil || len(e.Inefficiencies) != 0 {
		t.Errorf("no waste: %#v", e.Inefficiencies)
	}
}

func TestReportText(t *testing.T) {
	r := &Report{Image: "img", Digest: "sha256:0123456789abcdef0123", SizeBytes: 2_500_000, CompressedBytes: 1_000_000,
		Efficiency: 0.5, WastedBytes: 1000, UserWastedPercent: 0.25,
		Layers: []ReportLayer{{Index: 0, Digest: "sha256:aaaaaaaaaaaaaaaa", SizeBytes: 2_500_000, CompressedBytes: 1_000_000,
			CreatedBy: "/bin/sh -c #(nop)  COPY   a b", Added: 3, Modified: 1, Removed: 2}},
		Inefficiencies: []Waste{{Path: "/big", Count: 2, WastedBytes: 1000}}}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	want := `image img (0123456789ab), 1 layers

LAYER  DIGEST        SIZE   COMPRESSED  ADDED  MODIFIED  REMOVED  CREATED BY
0      aaaaaaaaaaaa  2.5MB  1MB         3      1         2        COPY a b

total size:   2.5MB (compressed 1MB)
efficiency:   50.00 %
wasted bytes: 1kB (25.00 % of the bytes above the base layer)

inefficient paths (copies the final image does not show):
  COUNT  WASTED  PATH
  2      1kB     /big
`
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	for i := range 30 {
		r.Inefficiencies = append(r.Inefficiencies, Waste{Path: "/p" + strings.Repeat("x", i), Count: 2, WastedBytes: 1})
	}
	if err := r.WriteCIAnalysis(&b); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.HasPrefix(got, "Analysis:\n  efficiency:        50.00 %\n  wastedBytes:       1000 bytes (1kB)\n") ||
		!strings.Contains(got, "  … and 6 more paths (--json lists them all)\n") {
		t.Errorf("CI analysis:\n%s", got)
	}
}

// File names and instructions from an image reach the terminal escaped:
// no escape sequence, no forged line.
func TestReportTextEscapesOutsideText(t *testing.T) {
	r := &Report{Image: "img\x1b[2J", Layers: []ReportLayer{{CreatedBy: "RUN x\x1b]0;title\x07"}},
		Inefficiencies: []Waste{{Path: "/evil\nA /forged/row", Count: 2, WastedBytes: 1}}}
	var b bytes.Buffer
	if err := r.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsRune(out, 0x1b) || strings.Contains(out, "\nA /forged/row") {
		t.Errorf("raw outside text in:\n%q", out)
	}
	for _, want := range []string{`img\e[2J`, `\e]0;title\x07`, `/evil\nA /forged/row`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
