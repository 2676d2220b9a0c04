// Command tarfilter copies the members of a tar stream (stdin) whose path
// lies under one of the given roots to stdout, headers and content as they
// are. record.sh uses it to keep recorded filesystems small.
package main

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
)

func main() {
	if err := filter(os.Stdin, os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tarfilter:", err)
		os.Exit(1)
	}
}

func filter(r io.Reader, w io.Writer, roots []string) error {
	tr, tw := tar.NewReader(r), tar.NewWriter(w)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return tw.Close()
		}
		if err != nil {
			return err
		}
		p := path.Clean("/" + h.Name)
		keep := false
		for _, root := range roots {
			if p == root || strings.HasPrefix(p, root+"/") || path.Base(p) == ".wh."+strings.TrimPrefix(root, "/") && path.Dir(p) == "/" {
				keep = true
			}
		}
		if !keep {
			continue
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}
