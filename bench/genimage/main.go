// Command genimage writes docker-archive images (docker save format) of a
// chosen shape for the inspect benchmark: N layers, the first with F
// files, each later layer modifying a share of the files the layers below
// left visible, deleting another share (whiteouts) and adding new ones.
//
//	genimage -layers 5 -files 20000 -modify 0.10 -delete 0.05 -o a.tar
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func main() {
	layers := flag.Int("layers", 5, "number of layers")
	files := flag.Int("files", 20000, "files each layer adds (new files)")
	modify := flag.Float64("modify", 0.10, "share of the visible files each later layer rewrites")
	del := flag.Float64("delete", 0.05, "share of the visible files each later layer deletes")
	size := flag.Int("size", 512, "mean file size in bytes")
	perDir := flag.Int("per-dir", 100, "files per directory")
	out := flag.String("o", "image.tar", "output docker-archive")
	seed := flag.Uint64("seed", 1, "random seed")
	diverge := flag.Int("diverge", -1, "from this layer on, draw from -seed2: images of the same -seed share the layers below it")
	seed2 := flag.Uint64("seed2", 2, "random seed from layer -diverge on")
	flag.Parse()
	if err := run(*layers, *files, *modify, *del, *size, *perDir, *out, *seed, *diverge, *seed2); err != nil {
		fmt.Fprintln(os.Stderr, "genimage:", err)
		os.Exit(1)
	}
}

func run(layers, files0 int, modify, del float64, size, perDir int, out string, seed uint64, diverge int, seed2 uint64) error {
	rng := rand.New(rand.NewPCG(seed, 0))
	var visible []string
	img := empty.Image
	next := 0
	for li := 0; li < layers; li++ {
		if li == diverge {
			rng = rand.New(rand.NewPCG(seed2, 0))
		}
		var files []imagetest.File
		dirs := map[string]bool{}
		put := func(p string) {
			for d := path.Dir(p); d != "." && !dirs[d]; d = path.Dir(d) {
				dirs[d] = true
				files = append(files, imagetest.Dir(d+"/"))
			}
			files = append(files, imagetest.Text(p, content(rng, 1+rng.IntN(2*size))))
		}
		var keep []string
		if li > 0 {
			rng.Shuffle(len(visible), func(i, j int) { visible[i], visible[j] = visible[j], visible[i] })
			nMod, nDel := int(modify*float64(len(visible))), int(del*float64(len(visible)))
			for i, p := range visible {
				switch {
				case i < nMod:
					put(p)
					keep = append(keep, p)
				case i < nMod+nDel:
					files = append(files, imagetest.Whiteout(p))
				default:
					keep = append(keep, p)
				}
			}
			visible = keep
		}
		for i := 0; i < files0; i++ {
			p := fmt.Sprintf("data/l%d/d%04d/f%06d.txt", li, next/perDir, next)
			next++
			put(p)
			visible = append(visible, p)
		}
		var buf bytes.Buffer
		if err := imagetest.WriteTar(&buf, files...); err != nil {
			return err
		}
		b := buf.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			return err
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: fmt.Sprintf("genimage layer %d", li)}})
		if err != nil {
			return err
		}
	}
	tag, err := name.NewTag("genimage/bench:latest")
	if err != nil {
		return err
	}
	return tarball.WriteToFile(out, tag, img)
}

// content is n bytes of lowercase text, so layers compress as real files do.
func content(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(rng.IntN(26))
	}
	return string(b)
}
