package compare

import (
	"context"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// chain is a file depth directories deep under prefix, with every
// directory a member when dirs is set.
func chain(prefix string, depth int, dirs bool) []imagetest.File {
	var fs []imagetest.File
	p := prefix
	for i := 0; i < depth; i++ {
		p += "a/"
		if dirs {
			fs = append(fs, imagetest.Dir(p))
		}
	}
	return append(fs, imagetest.Sized(p+"f", 10))
}

// Deep shapes are compared in work linear in their entries: the bytes of
// names hashed and the paths climbed or walked at twice the depth are
// about twice as many. Keyed by whole path, every implied directory
// hashed each prefix of its path, and a cleared directory made every
// lookup climb the depth hashing each ancestor's path: the image of a
// path 50,000 levels deep took 45 s and 9.5 GB.
func TestDeepShapesComparedInLinearWork(t *testing.T) {
	for _, c := range []struct {
		name string
		a, b func(d int) [][]imagetest.File
	}{
		{"deep: B adds a file deep below, its directories implied",
			func(d int) [][]imagetest.File { return [][]imagetest.File{{imagetest.Text("x", "1")}} },
			func(d int) [][]imagetest.File {
				return [][]imagetest.File{{imagetest.Text("x", "1")}, chain("", d, false)}
			}},
		{"deep: B adds 20 chains, every directory a member",
			func(d int) [][]imagetest.File { return [][]imagetest.File{{imagetest.Text("x", "1")}} },
			func(d int) [][]imagetest.File {
				var fs []imagetest.File
				for i := 0; i < 20; i++ {
					fs = append(fs, chain(fmt.Sprintf("c%d/", i), d, true)...)
				}
				return [][]imagetest.File{{imagetest.Text("x", "1")}, fs}
			}},
		{"deep: a shared deep base, B whites out its top and writes it again",
			func(d int) [][]imagetest.File { return [][]imagetest.File{chain("", d, false)} },
			func(d int) [][]imagetest.File {
				return [][]imagetest.File{chain("", d, false), append([]imagetest.File{imagetest.Whiteout("a")}, chain("", d, false)...)}
			}},
		{"deep: a shared deep base, B makes it opaque halfway and adds below",
			func(d int) [][]imagetest.File { return [][]imagetest.File{chain("", d, false)} },
			func(d int) [][]imagetest.File {
				half := strings.Repeat("a/", d/2)
				return [][]imagetest.File{chain("", d, false), {imagetest.Opaque(half), imagetest.Sized(half+"g", 5)}}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			work := func(depth int) (int, int) {
				a, b := imagetest.Image(t, c.a(depth)...), imagetest.Image(t, c.b(depth)...)
				sa, sb := sideOf(t, a), sideOf(t, b)
				f, err := readFiles(context.Background(), sa, sb, 0)
				if err != nil {
					t.Fatal(err)
				}
				changes := f.diff([2][]string{sa.createdBy, sb.createdBy})
				return f.paths.work, len(changes)
			}
			small, n := work(500)
			big, m := work(1000)
			if m < n {
				t.Fatalf("%d changes at depth 500, %d at 1000", n, m)
			}
			if float64(big) > 2.5*float64(small) {
				t.Errorf("depth 500: %d work, depth 1000: %d (%.1f times): not linear", small, big, float64(big)/float64(small))
			}
		})
	}
}

func sideOf(t *testing.T, img v1.Image) *side {
	t.Helper()
	s, err := readSide(img, "A")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Two images naming more paths than layertar.MaxPaths between them,
// implied directories included, are refused in one line.
func TestComparePathsBound(t *testing.T) {
	small := Options{maxPaths: 3000}
	a := imagetest.Image(t, chain("x/", 998, false))
	b := imagetest.Image(t, chain("y/", 998, false), chain("z/", 998, false))
	_, err := Compare(context.Background(), a, a, small)
	if err != nil {
		t.Fatalf("1,001 paths: %v", err)
	}
	_, err = Compare(context.Background(), a, b, small)
	want := "reading the files of A and B: images A and B name over 3000 paths, with the directories their names imply: over the bound (MaxPaths): refused"
	if err == nil || err.Error() != want {
		t.Errorf("3,001 paths: %v, want %s", err, want)
	}
}

// Whiteout storms: B's layer repeating the opaque marker of a wide
// directory of the shared base removes its children once, not once per
// marker (n markers on n children cost n² visits).
func TestWhiteoutStormComparedInLinearWork(t *testing.T) {
	work := func(n int) int {
		var wide, storm []imagetest.File
		for i := 0; i < n; i++ {
			wide = append(wide, imagetest.Text(fmt.Sprintf("w/f%d", i), "x"))
			storm = append(storm, imagetest.Opaque("w"))
		}
		sa, sb := sideOf(t, imagetest.Image(t, wide)), sideOf(t, imagetest.Image(t, wide, storm))
		f, err := readFiles(context.Background(), sa, sb, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(f.diff([2][]string{sa.createdBy, sb.createdBy})); got != n {
			t.Fatalf("%d changes, want the %d files removed", got, n)
		}
		return f.paths.work
	}
	small, big := work(1000), work(2000)
	if float64(big) > 2.5*float64(small) {
		t.Errorf("1,000: %d work, 2,000: %d (%.1f times): not linear", small, big, float64(big)/float64(small))
	}
}
