package layertar

import (
	"archive/tar"
	"io"
	"strconv"
	"strings"
	"time"
)

// maxPAXBytes is the most archive/tar reads of an extended header.
const maxPAXBytes = 1 << 20

// pax reads the PAX extended header whose first block is t.blk, and the
// plain header block after it, as archive/tar reads them: the records
// parsed and merged by its rules (parsePAX, mergePAX), the merged header
// given their values and the records. A name longer than a header block
// holds comes this way (as a build's layers write deep paths), and
// archive/tar spends several times more on such a member than reading it
// here takes. ok is false when the member is anything else (sparse
// files, GNU or further extension headers, a record or block archive/tar
// would refuse, the stream cut short): prefix is then every byte read,
// for archive/tar to read the member from its first block.
func (t *tarReader) pax() (h *tar.Header, prefix []byte, ok bool) {
	t.raw = append(t.raw[:0], t.blk[:]...)
	xh, ok, err := t.parsePlain(true) // the block's fields, checked as archive/tar checks them
	if err != nil || !ok || xh.Size > maxPAXBytes {
		return nil, t.raw, false
	}
	size := xh.Size
	n := int(size) + padding(size)
	start := len(t.raw)
	t.raw = append(t.raw, make([]byte, n+blockSize)...)[:start+n]
	if k, err := io.ReadFull(t.br, t.raw[start:]); err != nil {
		return nil, t.raw[:start+k], false
	}
	records, ok := parsePAX(string(t.raw[start : start+int(size)]))
	if !ok {
		return nil, t.raw, false
	}
	at := len(t.raw)
	t.raw = t.raw[:at+blockSize]
	if k, err := io.ReadFull(t.br, t.raw[at:]); err != nil {
		return nil, t.raw[:at+k], false
	}
	copy(t.blk[:], t.raw[at:])
	regA := t.blk[156] == '\x00'
	h, ok, err = t.parsePlain(false)
	if err != nil || !ok || t.blk == zeroBlock {
		return nil, t.raw, false
	}
	if !mergePAX(h, records) || h.Size < 0 {
		return nil, t.raw, false
	}
	if regA {
		h.Typeflag = tar.TypeReg
		if strings.HasSuffix(h.Name, "/") {
			h.Typeflag = tar.TypeDir
		}
	}
	return h, nil, true
}

// parsePAX parses an extended header's records as archive/tar does; ok
// is false for what it refuses and for sparse-file records (archive/tar
// reads those members).
func parsePAX(s string) (map[string]string, bool) {
	records := map[string]string{}
	for len(s) > 0 {
		k, v, rest, ok := parsePAXRecord(s)
		if !ok || strings.HasPrefix(k, "GNU.sparse.") {
			return nil, false
		}
		records[k] = v
		s = rest
	}
	return records, true
}

// parsePAXRecord parses "%d %s=%s\n" as archive/tar does.
func parsePAXRecord(s string) (k, v, rest string, ok bool) {
	nStr, after, found := strings.Cut(s, " ")
	if !found {
		return "", "", s, false
	}
	n, err := strconv.ParseInt(nStr, 10, 0)
	if err != nil || n < 5 || n > int64(len(s)) {
		return "", "", s, false
	}
	n -= int64(len(nStr) + 1)
	if n <= 0 {
		return "", "", s, false
	}
	rec, nl, rem := after[:n-1], after[n-1:n], after[n:]
	if nl != "\n" {
		return "", "", s, false
	}
	k, v, found = strings.Cut(rec, "=")
	if !found || k == "" || strings.Contains(k, "=") {
		return "", "", s, false
	}
	switch k {
	case "path", "linkpath", "uname", "gname":
		if strings.IndexByte(v, 0) >= 0 {
			return "", "", s, false
		}
	default:
		if strings.IndexByte(k, 0) >= 0 {
			return "", "", s, false
		}
	}
	return k, v, rem, true
}

// mergePAX gives h the records' values as archive/tar does (an empty
// value keeps the block's); ok is false where archive/tar finds a value
// it cannot parse.
func mergePAX(h *tar.Header, records map[string]string) bool {
	for k, v := range records {
		if v == "" {
			continue
		}
		var err error
		var id int64
		switch k {
		case "path":
			h.Name = v
		case "linkpath":
			h.Linkname = v
		case "uname":
			h.Uname = v
		case "gname":
			h.Gname = v
		case "uid":
			id, err = strconv.ParseInt(v, 10, 64)
			h.Uid = int(id)
		case "gid":
			id, err = strconv.ParseInt(v, 10, 64)
			h.Gid = int(id)
		case "atime":
			h.AccessTime, err = parsePAXTime(v)
		case "mtime":
			h.ModTime, err = parsePAXTime(v)
		case "ctime":
			h.ChangeTime, err = parsePAXTime(v)
		case "size":
			h.Size, err = strconv.ParseInt(v, 10, 64)
		}
		if err != nil {
			return false
		}
	}
	h.PAXRecords = records
	return true
}

// parsePAXTime parses "%d[.%d]" seconds as archive/tar does.
func parsePAXTime(s string) (time.Time, error) {
	ss, sn, _ := strings.Cut(s, ".")
	secs, err := strconv.ParseInt(ss, 10, 64)
	if err != nil {
		return time.Time{}, tar.ErrHeader
	}
	if sn == "" {
		return time.Unix(secs, 0), nil
	}
	nano := [9]byte{'0', '0', '0', '0', '0', '0', '0', '0', '0'}
	for i := 0; i < len(sn); i++ {
		switch c := sn[i]; {
		case c < '0' || c > '9':
			return time.Time{}, tar.ErrHeader
		case i < len(nano):
			nano[i] = c
		}
	}
	nsecs, _ := strconv.ParseInt(string(nano[:]), 10, 64)
	if len(ss) > 0 && ss[0] == '-' {
		return time.Unix(secs, -nsecs), nil
	}
	return time.Unix(secs, nsecs), nil
}
