// Command deepimage writes docker-archive images of deep shapes for
// bench/deep.sh, and is the benchmark's limit: `deepimage list IMAGE`
// reads every layer of a docker-archive as inspect does (gunzip) and
// lists its members with archive/tar, nothing more.
//
//	deepimage -files 50 -depth 2000 -dirs -o deep.tar
//	deepimage list deep.tar
//
// Each file sits at the bottom of its own chain of -depth directories
// named "a" (c0/a/a/…/f, c1/a/a/…/f, …); with -dirs every directory is a
// member of the tar, as the layers a build writes hold them, else the
// directories are implied by the files' names.
package main

import (
	"archive/tar"
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

func main() {
	if len(os.Args) >= 3 && os.Args[1] == "bench" {
		if err := bench(os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, "deepimage bench:", err)
			os.Exit(1)
		}
		return
	}
	if len(os.Args) == 3 && os.Args[1] == "list" {
		if err := list(os.Args[2], os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "deepimage list:", err)
			os.Exit(1)
		}
		return
	}
	files := flag.Int("files", 1, "files, each at the bottom of its own chain")
	depth := flag.Int("depth", 2000, "directories above each file")
	dirs := flag.Bool("dirs", false, "write every directory as a member (else implied)")
	out := flag.String("o", "deep.tar", "output docker-archive")
	flag.Parse()
	if err := write(*files, *depth, *dirs, *out); err != nil {
		fmt.Fprintln(os.Stderr, "deepimage:", err)
		os.Exit(1)
	}
}

func write(files, depth int, dirs bool, out string) error {
	var fs []imagetest.File
	for i := 0; i < files; i++ {
		p := fmt.Sprintf("c%d/", i)
		if dirs {
			fs = append(fs, imagetest.Dir(p))
		}
		for d := 0; d < depth; d++ {
			p += "a/"
			if dirs {
				fs = append(fs, imagetest.Dir(p))
			}
		}
		fs = append(fs, imagetest.Text(p+"f", strings.Repeat("x", 100)))
	}
	var buf bytes.Buffer
	if err := imagetest.WriteTar(&buf, fs...); err != nil {
		return err
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		return err
	}
	img, err := mutate.Append(empty.Image, mutate.Addendum{Layer: l, History: v1.History{CreatedBy: "deepimage"}})
	if err != nil {
		return err
	}
	tag, err := name.NewTag("deepimage/bench:latest")
	if err != nil {
		return err
	}
	return tarball.WriteToFile(out, tag, img)
}

// list prints the name of every member of every layer of a docker-archive.
func list(path string, w io.Writer) error {
	img, err := tarball.ImageFromPath(path, nil)
	if err != nil {
		return err
	}
	ls, err := img.Layers()
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	for _, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			return err
		}
		tr := tar.NewReader(rc)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				return err
			}
			bw.WriteString(h.Name)
			bw.WriteByte('\n')
		}
		rc.Close()
	}
	return bw.Flush()
}
