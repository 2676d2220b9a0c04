package layertar

import (
	"archive/tar"
	"bufio"
	"bytes"
	"io"
	"strings"
	"time"
)

// tarReader reads a tar stream's headers. A plain header block (V7,
// USTAR or GNU, without extension headers before it) it parses itself,
// into one reused tar.Header, without allocating more than the names;
// archive/tar spends more time on such a block than inflating it takes.
// Every other member (PAX extended headers, GNU long names, STAR) is read
// by archive/tar from its first header block on, and after a sparse file
// or a PAX global header archive/tar reads the rest of the stream.
type tarReader struct {
	br  *bufio.Reader
	blk [blockSize]byte
	hdr tar.Header
	cur contentReader // the current member's content
	pad int           // padding after it
	std *tar.Reader   // set once archive/tar reads the rest
	raw []byte        // an extended header's blocks, read (see pax)
}

const blockSize = 512

var zeroBlock [blockSize]byte

func newTarReader(r io.Reader) *tarReader {
	return &tarReader{br: bufio.NewReaderSize(r, 64<<10)}
}

// content is the current member's content.
func (t *tarReader) content() io.Reader {
	if t.std != nil {
		return t.std
	}
	return &t.cur
}

// Next reads the next member's header; io.EOF at the end of the archive.
// The header is valid until the next call.
func (t *tarReader) Next() (*tar.Header, error) {
	if t.std != nil {
		return t.std.Next()
	}
	if err := t.cur.skip(); err != nil {
		return nil, err
	}
	if t.pad > 0 {
		_, err := t.br.Discard(t.pad)
		t.pad = 0
		if err != nil {
			return nil, err // io.EOF: archive/tar also ends at a missing padding
		}
	}
	if _, err := io.ReadFull(t.br, t.blk[:]); err != nil {
		return nil, err
	}
	if t.blk == zeroBlock {
		if _, err := io.ReadFull(t.br, t.blk[:]); err != nil {
			return nil, err
		}
		if t.blk == zeroBlock {
			return nil, io.EOF
		}
		return nil, tar.ErrHeader // a zero block, then a non-zero one
	}
	if t.blk[156] == tar.TypeXHeader {
		h, prefix, ok := t.pax()
		if !ok {
			return t.delegate(prefix)
		}
		return t.member(h), nil
	}
	h, ok, err := t.parsePlain(false)
	if err != nil {
		return nil, err
	}
	if !ok {
		return t.delegate(t.blk[:])
	}
	return t.member(h), nil
}

// member sets the reader up for h's content.
func (t *tarReader) member(h *tar.Header) *tar.Header {
	nb := h.Size
	if headerOnly(h.Typeflag) {
		nb = 0
	}
	t.cur, t.pad = contentReader{br: t.br, n: nb}, padding(nb)
	return h
}

// delegate has archive/tar read the member whose first bytes (header
// blocks, or more) were read already into prefix, extension headers and
// all; its content is read from t.br directly unless archive/tar must
// read it (sparse files), or it leaves padding behind (global headers):
// then archive/tar reads the rest.
func (t *tarReader) delegate(prefix []byte) (*tar.Header, error) {
	prefix = bytes.Clone(prefix)
	tr := tar.NewReader(io.MultiReader(bytes.NewReader(prefix), t.br))
	h, err := tr.Next()
	if err != nil {
		return nil, err
	}
	if h.Typeflag == tar.TypeGNUSparse || h.Typeflag == tar.TypeXGlobalHeader || sparsePAX(h) {
		t.std = tr
		return h, nil
	}
	nb := h.Size
	if headerOnly(h.Typeflag) {
		nb = 0
	}
	t.cur, t.pad = contentReader{br: t.br, n: nb}, padding(nb)
	return h, nil
}

func sparsePAX(h *tar.Header) bool {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// headerOnly types have no content whatever their size field says.
func headerOnly(flag byte) bool {
	switch flag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return true
	}
	return false
}

func padding(n int64) int { return int(-n & (blockSize - 1)) }

// parsePlain parses t.blk when it is a plain header (or, with x, a PAX
// extended header's own block); ok is false for blocks archive/tar must
// read.
func (t *tarReader) parsePlain(x bool) (h *tar.Header, ok bool, err error) {
	b := &t.blk
	flag := b[156]
	switch flag {
	case tar.TypeReg, '\x00', tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo, tar.TypeCont:
	case tar.TypeXHeader:
		if !x {
			return nil, false, nil
		}
	default:
		return nil, false, nil // extension headers, sparse files, vendor types
	}
	magic, version, trailer := string(b[257:263]), string(b[263:265]), string(b[508:512])
	var ustar, gnu bool
	switch {
	case magic == "ustar\x00" && trailer == "tar\x00":
		return nil, false, nil // STAR
	case magic == "ustar\x00":
		ustar = true
	case magic == "ustar " && version == " \x00":
		gnu = true
	}
	var p parser
	if sum := p.octal(b[148:156]); p.bad || !checksumOK(b, sum) {
		return nil, false, tar.ErrHeader
	}
	h = &t.hdr
	*h = tar.Header{
		Typeflag: flag,
		Name:     cstring(b[0:100]),
		Linkname: cstring(b[157:257]),
		Mode:     p.numeric(b[100:108]),
		Uid:      int(p.numeric(b[108:116])),
		Gid:      int(p.numeric(b[116:124])),
		Size:     p.numeric(b[124:136]),
		ModTime:  time.Unix(p.numeric(b[136:148]), 0),
		Format:   tar.FormatUnknown,
	}
	if ustar || gnu {
		h.Devmajor, h.Devminor = p.numeric(b[329:337]), p.numeric(b[337:345])
	}
	if ustar {
		if prefix := cstring(b[345:500]); prefix != "" {
			h.Name = prefix + "/" + h.Name
		}
	}
	if p.bad || h.Size < 0 {
		return nil, false, tar.ErrHeader
	}
	if flag == '\x00' { // TypeRegA
		h.Typeflag = tar.TypeReg
		if strings.HasSuffix(h.Name, "/") {
			h.Typeflag = tar.TypeDir // legacy archives mark directories so
		}
	}
	return h, true, nil
}

// checksumOK checks a header's checksum, as unsigned or signed bytes
// summed with the checksum field as spaces (archive/tar accepts both).
func checksumOK(b *[blockSize]byte, want int64) bool {
	var unsigned int64
	for _, c := range b[:148] {
		unsigned += int64(c)
	}
	for _, c := range b[156:] {
		unsigned += int64(c)
	}
	unsigned += 8 * ' '
	if want == unsigned {
		return true
	}
	signed := int64(8 * ' ')
	for i, c := range b {
		if i < 148 || i >= 156 {
			signed += int64(int8(c))
		}
	}
	return want == signed
}

// cstring is b up to its first NUL.
func cstring(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// parser parses tar's numeric fields, remembering any error.
type parser struct{ bad bool }

// numeric parses an octal or (GNU) base-256 field.
func (p *parser) numeric(b []byte) int64 {
	if len(b) > 0 && b[0]&0x80 != 0 {
		// base-256, two's complement, the first byte's top bit cleared
		neg := b[0]&0x40 != 0
		var x uint64
		for i, c := range b {
			if neg {
				c ^= 0xff
			}
			if i == 0 {
				c &= 0x7f
			}
			if x>>56 != 0 {
				p.bad = true
				return 0
			}
			x = x<<8 | uint64(c)
		}
		if x>>63 != 0 {
			p.bad = true
			return 0
		}
		if neg {
			return ^int64(x)
		}
		return int64(x)
	}
	return p.octal(b)
}

// octal parses an octal field as archive/tar does: spaces and NULs
// around it ignored, the digits up to the first NUL left.
func (p *parser) octal(b []byte) int64 {
	for len(b) > 0 && (b[0] == ' ' || b[0] == 0) {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	var x uint64
	for _, c := range b {
		if c < '0' || c > '7' || x>>61 != 0 {
			p.bad = true
			return 0
		}
		x = x<<3 | uint64(c-'0')
	}
	return int64(x)
}

// contentReader reads a member's content from the stream.
type contentReader struct {
	br *bufio.Reader
	n  int64 // bytes left
}

func (c *contentReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.br.Read(p)
	c.n -= int64(n)
	if err == io.EOF {
		if c.n > 0 {
			err = io.ErrUnexpectedEOF
		} else {
			err = nil
		}
	}
	return n, err
}

// skip discards what is left of the content.
func (c *contentReader) skip() error {
	for c.n > 0 {
		k := c.n
		if k > 1<<30 {
			k = 1 << 30
		}
		n, err := c.br.Discard(int(k))
		c.n -= int64(n)
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
	}
	return nil
}
