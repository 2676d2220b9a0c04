package compare

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// A damaged layer is named with the image it is of, A or B (or both, for
// a layer they share), so that the user knows which side to fix.
func TestCompareSaysWhichSideIsDamaged(t *testing.T) {
	good := imagetest.Layer(t, imagetest.Dir("etc/"), imagetest.Text("etc/keep", "same"))
	bad := imagetest.LayerOf(t, []byte(strings.Repeat("not a tar ", 100)))
	other := imagetest.Layer(t, imagetest.Text("etc/x", "x"))
	for _, c := range []struct {
		name string
		a, b []mutate.Addendum
		want string
	}{
		{"B's layer", []mutate.Addendum{{Layer: good}, {Layer: other}}, []mutate.Addendum{{Layer: good}, {Layer: bad}}, "reading image B's layer 2, "},
		{"A's layer", []mutate.Addendum{{Layer: good}, {Layer: bad}}, []mutate.Addendum{{Layer: good}, {Layer: other}}, "reading image A's layer 2, "},
		{"a shared layer", []mutate.Addendum{{Layer: bad}, {Layer: other}}, []mutate.Addendum{{Layer: bad}}, "reading layer 1 of both images, "},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compare(context.Background(), imagetest.ImageOf(t, c.a...), imagetest.ImageOf(t, c.b...), Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %v, want it to say %q", err, c.want)
			}
		})
	}
}

// A label, variable or history entry holding a line break is one row,
// escaped, not two: it cannot forge an entry the image does not have.
func TestCompareListEntriesCannotForgeRows(t *testing.T) {
	base := imagetest.Image(t, []imagetest.File{imagetest.Text("x", "x")})
	cfg, err := base.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.Config.Labels = map[string]string{"note": "fine\nmaintainer=forged"}
	cfg.Config.Env = []string{"A=1\nB=forged"}
	b, err := mutate.ConfigFile(base, cfg)
	if err != nil {
		t.Fatal(err)
	}
	im, err := Compare(context.Background(), base, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	text := (&Result{A: "a", B: "b", Image: im}).Text()
	for _, want := range []string{"config Labels:\n  + note=fine\\nmaintainer=forged\n", "config Env:\n  + A=1\\nB=forged\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("compare says:\n%s\nwant the rows\n%s", text, want)
		}
	}
	if strings.Contains(text, "\n  + maintainer=forged") || strings.Contains(text, "\n  + B=forged") {
		t.Errorf("a forged row:\n%s", text)
	}
}

// A path of invalid UTF-8 is written in compare's JSON as inspect and
// diff write it, each invalid byte as \xNN, not as U+FFFD (which would
// make two names one).
func TestCompareJSONInvalidUTF8(t *testing.T) {
	a := imagetest.Image(t, []imagetest.File{imagetest.Text("x", "x")})
	b := imagetest.Image(t, []imagetest.File{imagetest.Text("x", "x"), imagetest.Text("n\xff", "1"), imagetest.Text("n\xfe", "2")})
	im, err := Compare(context.Background(), a, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := (&Result{A: "a", B: "b", Image: im}).WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"path": "/n\\xff"`, `"path": "/n\\xfe"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("JSON lacks %s:\n%s", want, out.String())
		}
	}
}
