// Package preview reads the first bytes of one file of an image layer, for
// the inspector's preview pane: it streams the layer's tar (through
// inspect/layertar) up to the file, never extracting anything to disk.
package preview

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// Max is how many bytes a preview shows.
const Max = 4 << 10

// errFound stops reading the layer once the file is read.
var errFound = errors.New("found")

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
	want, err := layertar.Clean(p)
	if err != nil {
		return "", err
	}
	rc, err := layertar.Open(ls[index])
	if err != nil {
		return "", fmt.Errorf("reading layer %d: %w", index, err)
	}
	defer rc.Close()
	var buf []byte
	_, err = layertar.Read(rc, layertar.Options{}, func(e *layertar.Entry) error {
		if e.Op != layertar.Put || e.Path != want || e.Header.Typeflag != tar.TypeReg {
			return nil
		}
		buf = make([]byte, Max)
		n, err := io.ReadFull(e.Reader(), buf)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return fmt.Errorf("reading /%s: %w", want, err)
		}
		buf = buf[:n]
		return errFound
	})
	switch {
	case err == nil:
		return "", fmt.Errorf("/%s is not in layer %d", want, index)
	case !errors.Is(err, errFound):
		return "", fmt.Errorf("reading layer %d: %w", index, err)
	}
	if bytes.IndexByte(buf, 0) >= 0 || !utf8.Valid(trimRune(buf)) {
		return "", nil
	}
	return string(buf), nil
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
