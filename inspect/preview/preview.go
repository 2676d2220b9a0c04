// Package preview reads the first bytes of one file of an image layer, for
// the inspector's preview pane: it streams the layer's tar up to the file,
// never extracting anything to disk.
package preview

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"unicode/utf8"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Max is how many bytes a preview shows.
const Max = 4 << 10

// Text returns the first Max bytes of file p (no leading slash) in layer
// index of img, or "" when the file is not text.
func Text(img v1.Image, index int, p string) (string, error) {
	ls, err := img.Layers()
	if err != nil {
		return "", fmt.Errorf("listing layers: %w", err)
	}
	if index < 0 || index >= len(ls) {
		return "", fmt.Errorf("no layer %d", index)
	}
	rc, err := ls[index].Uncompressed()
	if err != nil {
		return "", fmt.Errorf("reading layer %d: %w", index, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	want := path.Clean("/" + p)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", fmt.Errorf("%s is not in layer %d", want, index)
		}
		if err != nil {
			return "", fmt.Errorf("reading layer %d: %w", index, err)
		}
		if path.Clean("/"+h.Name) != want || h.Typeflag != tar.TypeReg {
			continue
		}
		buf := make([]byte, Max)
		n, err := io.ReadFull(tr, buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("reading %s: %w", want, err)
		}
		buf = buf[:n]
		if bytes.IndexByte(buf, 0) >= 0 || !utf8.Valid(trimRune(buf)) {
			return "", nil
		}
		return string(buf), nil
	}
}

// trimRune drops a rune cut at the end of the preview.
func trimRune(b []byte) []byte {
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}
