package layers

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// OCI whiteout names (image-spec layer.md).
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	opaqueMarker   = ".wh..wh..opq"
)

// op says what a raw tar entry asks for.
type op uint8

const (
	opPut      op = iota // add or replace the path
	opWhiteout           // remove the path (from lower layers)
	opOpaque             // hide the lower layers' children of the path
)

// rawEntry is one tar header, checked and normalised.
type rawEntry struct {
	op       op
	path     string // cleaned, no leading slash; "" is the root
	typ      Type
	mode     fs.FileMode
	size     int64
	link     string
	uid, gid uint32
	major    uint32
	minor    uint32
}

// rawLayer is one layer's tar, read once.
type rawLayer struct {
	entries  []rawEntry
	tarBytes int64
}

// knownMediaTypes are the layer media types whose content is a tar
// (compressed or not) go-containerregistry can read.
var knownMediaTypes = map[types.MediaType]bool{
	types.DockerLayer:                    true,
	types.DockerForeignLayer:             true,
	types.DockerUncompressedLayer:        true,
	types.OCILayer:                       true,
	types.OCILayerZStd:                   true,
	types.OCIUncompressedLayer:           true,
	types.OCIRestrictedLayer:             true,
	types.OCIUncompressedRestrictedLayer: true,
	"application/vnd.oci.image.layer.nondistributable.v1.tar+zstd": true,
}

// readLayer streams a layer's uncompressed tar once and returns its
// entries; nothing is written to disk.
func readLayer(ctx context.Context, l v1.Layer) (*rawLayer, error) {
	mt, err := l.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading media type: %w", err)
	}
	if mt != "" && !knownMediaTypes[mt] {
		return nil, fmt.Errorf("unknown layer media type %q: not a tar layer", mt)
	}
	rc, err := l.Uncompressed()
	if err != nil {
		return nil, fmt.Errorf("opening: %w", err)
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	tr := tar.NewReader(cr)
	out := &rawLayer{}
	for n := 0; ; n++ {
		if n&1023 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading tar entry %d: %w", n+1, err)
		}
		e, ok, err := normalise(h)
		if err != nil {
			return nil, err
		}
		if ok {
			out.entries = append(out.entries, e)
		}
	}
	// Drain the padding after the end marker so compressed streams are
	// checked to their end (a truncated gzip trailer is an error too).
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return nil, fmt.Errorf("reading after the tar's end: %w", err)
	}
	out.tarBytes = cr.n
	return out, nil
}

// normalise checks one header and turns it into a rawEntry; ok is false
// for headers that change nothing (the root, AUFS metadata, pax globals).
func normalise(h *tar.Header) (e rawEntry, ok bool, err error) {
	p, err := cleanPath(h.Name)
	if err != nil {
		return e, false, err
	}
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case base == opaqueMarker:
		return rawEntry{op: opOpaque, path: dir}, true, nil
	case strings.HasPrefix(base, whiteoutMeta):
		return e, false, nil // .wh..wh.plnk and other AUFS metadata
	case base == whiteoutPrefix:
		return e, false, fmt.Errorf("whiteout %q names no file", h.Name)
	case strings.HasPrefix(base, whiteoutPrefix):
		return rawEntry{op: opWhiteout, path: path.Join(dir, base[len(whiteoutPrefix):])}, true, nil
	}
	e = rawEntry{op: opPut, path: p, mode: fs.FileMode(h.Mode).Perm(), uid: uint32(h.Uid), gid: uint32(h.Gid)}
	if h.Mode&04000 != 0 {
		e.mode |= fs.ModeSetuid
	}
	if h.Mode&02000 != 0 {
		e.mode |= fs.ModeSetgid
	}
	if h.Mode&01000 != 0 {
		e.mode |= fs.ModeSticky
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse: // archive/tar reads TypeRegA as TypeReg
		e.typ, e.size = TypeRegular, h.Size
	case tar.TypeDir:
		e.typ, e.mode = TypeDir, e.mode|fs.ModeDir
	case tar.TypeSymlink:
		e.typ, e.mode, e.link = TypeSymlink, e.mode|fs.ModeSymlink, h.Linkname
	case tar.TypeLink:
		target, err := cleanPath(h.Linkname)
		if err != nil {
			return e, false, fmt.Errorf("hard link %s: %w", DisplayPath(p), err)
		}
		e.typ, e.link = TypeHardlink, target
	case tar.TypeChar:
		e.typ, e.mode = TypeCharDevice, e.mode|fs.ModeDevice|fs.ModeCharDevice
		e.major, e.minor = uint32(h.Devmajor), uint32(h.Devminor)
	case tar.TypeBlock:
		e.typ, e.mode = TypeBlockDevice, e.mode|fs.ModeDevice
		e.major, e.minor = uint32(h.Devmajor), uint32(h.Devminor)
	case tar.TypeFifo:
		e.typ, e.mode = TypeFIFO, e.mode|fs.ModeNamedPipe
	default:
		return e, false, nil // pax/GNU metadata archive/tar did not fold in
	}
	if p == "" {
		return e, false, nil // the root itself
	}
	return e, true, nil
}

// cleanPath makes a tar name relative to the root ("./a/b/" → "a/b") and
// rejects any ".." component: a layer must not reach outside the image.
func cleanPath(name string) (string, error) {
	p := strings.TrimLeft(name, "/")
	for _, c := range strings.Split(p, "/") {
		if c == ".." {
			return "", fmt.Errorf("path %q has a \"..\" component", name)
		}
	}
	p = path.Clean("/" + p)
	return strings.TrimPrefix(p, "/"), nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
