package layers

import (
	"archive/tar"
	"context"
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layertar"
)

// rawEntry is one member of a layer, as the table applies it.
type rawEntry struct {
	op       layertar.Op
	path     string // clean, no leading slash
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

// readLayer streams a layer's uncompressed tar once and returns its
// entries; nothing is written to disk.
func readLayer(ctx context.Context, l v1.Layer) (*rawLayer, error) {
	rc, err := layertar.Open(l)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := &rawLayer{}
	n := 0
	out.tarBytes, err = layertar.Read(rc, layertar.Options{}, func(e *layertar.Entry) error {
		if n&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		n++
		if r, ok := convert(e); ok {
			out.entries = append(out.entries, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// convert turns a reader's entry into a rawEntry; ok is false for the
// root itself, which no layer can add or remove.
func convert(e *layertar.Entry) (r rawEntry, ok bool) {
	if e.Op != layertar.Put {
		return rawEntry{op: e.Op, path: e.Path}, e.Op == layertar.Opaque || e.Path != ""
	}
	if e.Path == "" {
		return r, false
	}
	h := e.Header
	r = rawEntry{op: e.Op, path: e.Path, mode: fs.FileMode(h.Mode).Perm(), uid: uint32(h.Uid), gid: uint32(h.Gid)}
	if h.Mode&04000 != 0 {
		r.mode |= fs.ModeSetuid
	}
	if h.Mode&02000 != 0 {
		r.mode |= fs.ModeSetgid
	}
	if h.Mode&01000 != 0 {
		r.mode |= fs.ModeSticky
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse: // archive/tar reads TypeRegA as TypeReg
		r.typ, r.size = TypeRegular, h.Size
	case tar.TypeDir:
		r.typ, r.mode = TypeDir, r.mode|fs.ModeDir
	case tar.TypeSymlink:
		r.typ, r.mode, r.link = TypeSymlink, r.mode|fs.ModeSymlink, h.Linkname
	case tar.TypeLink:
		r.typ, r.link = TypeHardlink, e.Link
	case tar.TypeChar:
		r.typ, r.mode = TypeCharDevice, r.mode|fs.ModeDevice|fs.ModeCharDevice
		r.major, r.minor = uint32(h.Devmajor), uint32(h.Devminor)
	case tar.TypeBlock:
		r.typ, r.mode = TypeBlockDevice, r.mode|fs.ModeDevice
		r.major, r.minor = uint32(h.Devmajor), uint32(h.Devminor)
	case tar.TypeFifo:
		r.typ, r.mode = TypeFIFO, r.mode|fs.ModeNamedPipe
	default:
		return r, false
	}
	return r, true
}
