// Package layertar is the one reader of image layer tars: it turns each
// tar member into what it asks of the filesystem below it — put a path,
// white one out, make a directory opaque — as the OCI image spec
// (layer.md) says, and nothing else in buildscope interprets whiteouts.
//
// Names are taken relative to the image's root ("./a", "/a" and "a" are
// the same path); a name or hard link target with a ".." component is an
// error, so no layer reaches outside the image. AUFS metadata (the
// .wh..wh.plnk hard link store, .wh..wh.aufs, .wh..wh.orph) changes
// nothing, except that a hard link into .wh..wh.plnk becomes the regular
// file stored there, as the Docker engine applies it. Regular files'
// contents can be hashed and, when small, kept; Open decompresses a
// v1.Layer as fast as this package knows how.
package layertar

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// Whiteout names (image-spec layer.md, from AUFS).
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	opaqueMarker   = ".wh..wh..opq"
	aufsLinkDir    = ".wh..wh.plnk"
)

// DefaultMaxKeep is the largest file whose content Options.Keep may keep.
const DefaultMaxKeep = 1 << 20

// Bounds on names, as Linux has them: no filesystem a container runtime
// unpacks a layer into holds a longer path or name (the runtime's own
// calls fail with ENAMETOOLONG), and a name past them is what makes
// every later reader pay per level of its depth (a path 50,000 levels
// deep: `compare` printed 2.5 GB). A member past either is refused.
const (
	// MaxPathBytes bounds a path with its leading slash, a hard link's
	// target and a symlink's target: PATH_MAX.
	MaxPathBytes = 4096
	// MaxNameBytes bounds one component of a path: NAME_MAX.
	MaxNameBytes = 255
	// MaxPaths bounds the paths an image (or two compared) may name, the
	// directories its names imply included; readers that keep a tree
	// refuse more. Large images hold a few hundred thousand; a name of
	// MaxPathBytes implies up to 2,047 directories, so without a bound a
	// small layer of such names asks for gigabytes.
	MaxPaths = 4_000_000
)

// Op says what a member asks for.
type Op uint8

// What a member of a layer asks of the layers below it.
const (
	Put      Op = iota // add or replace Path
	Whiteout           // remove Path, and everything below it, from lower layers
	Opaque             // hide the lower layers' children of directory Path
)

// Entry is one member of a layer, checked and interpreted. Read reuses
// one Entry for every member: its fields may be kept, the Entry may not.
type Entry struct {
	// Op is what the member asks for.
	Op Op
	// Path is clean, relative to the root, without a leading slash
	// ("etc/passwd"); "" is the root. For Whiteout, the path removed; for
	// Opaque, the directory made opaque.
	Path string
	// Header is the member's header (Name and Linkname as the tar holds
	// them; Uname, Gname, AccessTime and ChangeTime are not read); for
	// Whiteout and Opaque, the marker's. A hard link into AUFS's
	// .wh..wh.plnk store arrives as the regular file stored there. The
	// Header is reused for the next member: copy what is kept.
	Header *tar.Header
	// Link is a hard link's target, clean and relative like Path; "" for
	// every other type (a symlink's target is Header.Linkname).
	Link string
	// Digest is "sha256:<hex>" of a regular file's content, when
	// Options.Digests is set.
	Digest string
	// Content is a regular file's content, when Options.Keep kept it.
	Content []byte

	r io.Reader // the member's content, while fn runs
}

// Reader reads a regular file's content while fn runs, when Options
// neither hash nor keep contents (they have read it already).
func (e *Entry) Reader() io.Reader {
	if e.r == nil {
		return eofReader{}
	}
	return e.r
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// IsRegular reports whether e puts a regular file.
func (e *Entry) IsRegular() bool {
	return e.Op == Put && isRegular(e.Header.Typeflag)
}

func isRegular(t byte) bool { return t == tar.TypeReg || t == tar.TypeGNUSparse }

// Options tune Read.
type Options struct {
	// Digests hashes every regular file's content into Entry.Digest.
	Digests bool
	// Keep, when set, is asked for every regular file no larger than
	// MaxKeep, after its content is hashed (Digest is set whatever
	// Digests says), whether to keep the content in Entry.Content.
	Keep func(e *Entry) bool
	// MaxKeep bounds kept content; zero means DefaultMaxKeep.
	MaxKeep int64
}

// Read reads one layer's uncompressed tar stream and calls fn for every
// member that changes something, in tar order; an error from fn stops the
// reading and is returned as is. After the tar's end marker the stream is
// read to its end, so that a compressed stream is checked whole. It
// returns the number of bytes read from r.
func Read(r io.Reader, o Options, fn func(*Entry) error) (int64, error) {
	rd := reader{o: o, cr: countingReader{r: r}}
	err := rd.read(fn)
	return rd.cr.n, err
}

// reader is the state of one Read.
type reader struct {
	o     Options
	cr    countingReader
	e     Entry
	sum   hash.Hash
	buf   []byte
	plnk  map[string]plnkFile // regular files in AUFS's hard link store, by name
	count int
}

// plnkFile is a regular file AUFS stored in .wh..wh.plnk.
type plnkFile struct {
	h       *tar.Header
	digest  string
	content []byte
}

func (rd *reader) read(fn func(*Entry) error) error {
	tr := newTarReader(&rd.cr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		rd.count++
		if err != nil {
			return fmt.Errorf("reading tar entry %d: %w", rd.count, err)
		}
		ok, err := rd.interpret(h, tr.content())
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := fn(&rd.e); err != nil {
			return err
		}
	}
	if _, err := io.Copy(io.Discard, tr.br); err != nil {
		return fmt.Errorf("reading after the tar's end: %w", err)
	}
	return nil
}

// interpret fills rd.e from h (reading a regular file's content when
// asked); ok is false for members that change nothing: AUFS metadata,
// pax global headers and what archive/tar did not fold in.
func (rd *reader) interpret(h *tar.Header, content io.Reader) (ok bool, err error) {
	p, err := Clean(h.Name)
	if err != nil {
		return false, err
	}
	e := &rd.e
	*e = Entry{Header: h}
	dir, base := split(p)
	switch {
	case base == opaqueMarker:
		e.Op, e.Path = Opaque, dir
		return true, checkBounds(dir)
	case strings.HasPrefix(p, aufsLinkDir+"/"):
		if isRegular(h.Typeflag) {
			if err := rd.readContent(content, true); err != nil {
				return false, err
			}
			if rd.plnk == nil {
				rd.plnk = map[string]plnkFile{}
			}
			stored := *h // h is reused for the next member
			rd.plnk[p] = plnkFile{h: &stored, digest: e.Digest, content: e.Content}
		}
		return false, nil
	case strings.HasPrefix(base, whiteoutMeta), strings.HasPrefix(p, whiteoutMeta):
		return false, nil // .wh..wh.aufs, .wh..wh.orph and what they hold
	case strings.HasPrefix(base, whiteoutPrefix):
		// ".wh.." would white out its own directory and ".wh..." the one
		// above it: walkers that follow such a name never end
		switch name := base[len(whiteoutPrefix):]; name {
		case "", ".":
			return false, fmt.Errorf("whiteout %q names no file", h.Name)
		case "..":
			return false, fmt.Errorf("whiteout %q has a \"..\" component", h.Name)
		}
		e.Op, e.Path = Whiteout, join(dir, base[len(whiteoutPrefix):])
		return true, checkBounds(e.Path)
	}
	if err := checkBounds(p); err != nil {
		return false, err
	}
	e.Op, e.Path = Put, p
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeGNUSparse, tar.TypeDir, tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
	case tar.TypeSymlink:
		if len(h.Linkname) >= MaxPathBytes {
			return false, fmt.Errorf("symlink /%s: its target is %d bytes long, over the bound of %d (PATH_MAX, with its NUL): refused", short(p), len(h.Linkname), MaxPathBytes)
		}
	case tar.TypeLink:
		target, err := Clean(h.Linkname)
		if err != nil {
			return false, fmt.Errorf("hard link /%s: %w", p, err)
		}
		if len(target)+1 > MaxPathBytes {
			return false, fmt.Errorf("hard link /%s: its target is %d bytes long, over the bound of %d (PATH_MAX): refused", short(p), len(target)+1, MaxPathBytes)
		}
		if f, ok := rd.plnk[target]; ok {
			c := *f.h // the link is the file AUFS stored away
			c.Name, c.Linkname = h.Name, ""
			e.Header, e.Digest = &c, f.digest
			if f.content != nil && rd.o.Keep(e) {
				e.Content = f.content
			}
			if !rd.o.Digests && rd.o.Keep == nil {
				e.Digest = ""
			}
			return true, nil
		}
		e.Link = target
		return true, nil
	default:
		return false, nil // pax/GNU metadata archive/tar did not fold in
	}
	if isRegular(h.Typeflag) {
		e.r = content
		if err := rd.readContent(content, false); err != nil {
			return false, err
		}
	}
	return true, nil
}

// readContent hashes the current regular file's content when digests
// are asked for, or stored is set (a file in AUFS's hard link store), and
// keeps it when Keep says so or, for a stored file, whenever Keep is set.
func (rd *reader) readContent(r io.Reader, stored bool) error {
	e := &rd.e
	if !rd.o.Digests && rd.o.Keep == nil && !stored {
		return nil
	}
	max := rd.o.MaxKeep
	if max == 0 {
		max = DefaultMaxKeep
	}
	if rd.sum == nil {
		rd.sum, rd.buf = sha256.New(), make([]byte, 32<<10)
	}
	rd.sum.Reset()
	var kept []byte
	w := io.Writer(rd.sum)
	if rd.o.Keep != nil && e.Header.Size <= max {
		kept = make([]byte, 0, e.Header.Size)
		w = appender{&kept, rd.sum}
	}
	if _, err := io.CopyBuffer(w, onlyReader{r}, rd.buf); err != nil {
		return fmt.Errorf("reading /%s: %w", e.Path, err)
	}
	var sum [sha256.Size]byte
	var b [len("sha256:") + 2*sha256.Size]byte
	copy(b[:], "sha256:")
	hex.Encode(b[len("sha256:"):], rd.sum.Sum(sum[:0]))
	e.Digest = string(b[:])
	if kept != nil && (stored || rd.o.Keep(e)) {
		e.Content = kept
	}
	return nil
}

// appender writes to a hash and appends to a slice.
type appender struct {
	b *[]byte
	h hash.Hash
}

func (a appender) Write(p []byte) (int, error) {
	*a.b = append(*a.b, p...)
	return a.h.Write(p)
}

// onlyReader hides WriterTo, so io.CopyBuffer uses the given buffer.
type onlyReader struct{ io.Reader }

// Clean makes a tar name relative to the root ("./a/b/" and "/a/b" are
// "a/b", "." is "") and rejects any ".." component: a layer must not
// reach outside the image. A component longer than MaxNameBytes (a
// whiteout's, less its ".wh." prefix) is refused too. One pass over the
// name's bytes: a name thousands of levels deep costs its length.
func Clean(name string) (string, error) {
	p := name
	for len(p) > 0 && p[0] == '/' {
		p = p[1:]
	}
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1] // a trailing slash goes
	}
	clean := true
	start := 0
	for i := 0; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		c := p[start:i]
		switch {
		case c == "..":
			return "", fmt.Errorf("path %q has a \"..\" component", name)
		case c == "." || c == "":
			clean = false
		case len(c) > MaxNameBytes && (len(c) > MaxNameBytes+len(whiteoutPrefix) || !strings.HasPrefix(c, whiteoutPrefix)):
			return "", fmt.Errorf("path /%s: a name in it is %d bytes long, over the bound of %d (NAME_MAX: no Linux filesystem holds it): refused", short(p), len(c), MaxNameBytes)
		}
		start = i + 1
	}
	if clean {
		return p, nil
	}
	return cleanSlow(p), nil
}

// cleanSlow removes empty and "." components (there is no "..").
func cleanSlow(p string) string {
	var b strings.Builder
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('/')
		}
		b.WriteString(c)
	}
	return b.String()
}

// checkBounds refuses a clean path longer than MaxPathBytes with its
// leading slash (Clean refuses names over MaxNameBytes).
func checkBounds(p string) error {
	if len(p)+1 > MaxPathBytes {
		return fmt.Errorf("member /%s: its path is %d bytes long, over the bound of %d (PATH_MAX: no container runtime can unpack it): refused", short(p), len(p)+1, MaxPathBytes)
	}
	return nil
}

// short is a path cut to its first 60 bytes, quoted where it is not
// printable, for an error message.
func short(p string) string {
	if len(p) > 60 {
		p = p[:60] + "…"
	}
	q := strconv.Quote(p)
	if q[1:len(q)-1] == p {
		return p
	}
	return q
}

// split cuts a clean path into its directory ("" for the root) and name.
func split(p string) (dir, base string) {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return "", p
}

// join joins a clean directory and a name.
func join(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
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
