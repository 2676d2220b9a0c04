package compare

import (
	"context"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// Images whose config names no platform (as many built by hand are)
// compare without a crash; the shared first layer is counted once, and
// the file changes are exact.
func TestCompareImagesWithoutPlatform(t *testing.T) {
	base := []imagetest.File{imagetest.Dir("etc/"), imagetest.Text("etc/keep", "same")}
	a := imagetest.Image(t, base, []imagetest.File{imagetest.Text("etc/conf", "one"), imagetest.Text("etc/gone", "x")})
	b := imagetest.Image(t, base, []imagetest.File{imagetest.Text("etc/conf", "two!"), imagetest.Text("etc/new", "y")})
	c, err := Compare(context.Background(), a, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range c.Files {
		got = append(got, f.String())
	}
	want := []string{"C /etc/conf (content, size)", "D /etc/gone", "A /etc/new"}
	if len(got) != len(want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("file %d: %s, want %s", i, got[i], want[i])
		}
	}
	if c.SharedLayers != 1 || c.Same {
		t.Errorf("shared %d, same %v", c.SharedLayers, c.Same)
	}
	same, err := Compare(context.Background(), a, a, Options{Semantic: true})
	if err != nil || !same.Same {
		t.Errorf("an image against itself: same %v, %v", same != nil && same.Same, err)
	}
}
