package layertar

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/inspect/imagetest"
)

// members lists a tar's members as read through next/content, one line
// each with every header field this package reads and a digest of the
// content, then the error that ended it, if any.
func members(next func() (*tar.Header, error), content func() io.Reader) []string {
	var out []string
	for {
		h, err := next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			return append(out, "error")
		}
		b, err := io.ReadAll(io.LimitReader(content(), 1<<20)) // sparse files can be huge
		out = append(out, fmt.Sprintf("%q %q %c %o %d/%d size=%d mtime=%d dev=%d,%d pax=%v content=%d:%x",
			h.Name, h.Linkname, h.Typeflag, h.Mode, h.Uid, h.Gid, h.Size, h.ModTime.UnixNano(),
			h.Devmajor, h.Devminor, h.PAXRecords, len(b), b[:min(len(b), 8)]))
		if err != nil {
			return append(out, "error")
		}
	}
}

// sameAsArchiveTar checks that tarReader reads b as archive/tar does.
func sameAsArchiveTar(t *testing.T, b []byte) {
	t.Helper()
	std := tar.NewReader(bytes.NewReader(b))
	want := members(std.Next, func() io.Reader { return std })
	ours := newTarReader(bytes.NewReader(b))
	got := members(ours.Next, ours.content)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("tarReader read\n%s\narchive/tar read\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// corpus is tars of every format archive/tar writes, with what makes
// them use extension headers.
func corpus(t testing.TB) map[string][]byte {
	files := corpusFiles(70000) // more than the reader's 64 KiB buffer
	out := map[string][]byte{}
	for _, f := range tarFormats {
		out[f.String()] = tarIn(f, files...)
	}
	// A legacy regular file (type NUL) and a directory marked by its slash.
	legacy := imagetest.Tar(t, imagetest.Text("old", "abc"), imagetest.Dir("olddir/"))
	for _, off := range []int{0, 1024} {
		legacy[off+156] = 0
		fixChecksum(legacy[off : off+512])
	}
	out["legacy"] = legacy
	out["global header"] = imagetest.Tar(t,
		imagetest.File{Name: "g", Type: tar.TypeXGlobalHeader, PAX: map[string]string{"comment": "made by git"}},
		imagetest.Text("after", "global"), imagetest.Text("caf\xe9", "pax after"))
	out["no end marker"] = out["PAX"][:len(out["PAX"])-1024]
	out["truncated content"] = out["USTAR"][:2000]
	out["truncated header"] = out["USTAR"][:1100]
	bad := bytes.Clone(out["USTAR"])
	bad[148] = '9'
	out["bad checksum"] = bad
	badDigit := bytes.Clone(out["USTAR"])
	badDigit[101] = '9' // the mode field
	fixChecksum(badDigit[:512])
	out["bad octal digit"] = badDigit
	base256 := bytes.Clone(out["USTAR"])
	copy(base256[108:116], []byte{0x80, 0, 0, 0, 0, 0, 0x10, 0x01}) // the uid field, GNU base-256
	fixChecksum(base256[:512])
	out["base-256 uid"] = base256
	out["junk"] = bytes.Repeat([]byte("not a tar\n"), 100)
	out["empty"] = nil
	return out
}

var tarFormats = []tar.Format{tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU}

// formatNamed are corpus's whole tars, one per format.
var formatNamed = map[string]bool{"USTAR": true, "PAX": true, "GNU": true, "no end marker": true}

// corpusFiles is one member of every kind, its big file of big bytes.
func corpusFiles(big int) []imagetest.File {
	long := strings.Repeat("d/", 80) + "file"
	return []imagetest.File{
		imagetest.Dir("etc/"),
		imagetest.Text("etc/motd", "hello"),
		imagetest.Sized("big", big),
		imagetest.Text(long, "long name"),
		imagetest.Symlink("ln", long),
		imagetest.Hardlink("hl", "etc/motd"),
		imagetest.Device("dev/null", tar.TypeChar, 1, 3),
		imagetest.Device("dev/sda", tar.TypeBlock, 8, 0),
		imagetest.Device("fifo", tar.TypeFifo, 0, 0),
		imagetest.Text("caf\xe9", "latin-1"),
		imagetest.Text("café", "utf-8"),
		{Name: "caps", Type: tar.TypeReg, Body: "x", PAX: map[string]string{"SCHILY.xattr.security.capability": "\x01\x00\x00\x02"}},
		{Name: "ids", Type: tar.TypeReg, Body: "y", UID: 1 << 22, GID: 3000000, Mode: 0o4755},
		{Name: "nanos", Type: tar.TypeReg, Body: "z", ModTime: time.Unix(1700000000, 123456789)},
		imagetest.Sized("empty", 0),
	}
}

// tarIn writes files in format f, leaving out those it cannot represent.
func tarIn(f tar.Format, files ...imagetest.File) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range files {
		h := m.Header()
		h.Format = f
		if f != tar.FormatPAX {
			h.PAXRecords = nil
		}
		if err := tw.WriteHeader(h); err != nil {
			continue // not representable in this format
		}
		if h.Typeflag == tar.TypeReg {
			io.WriteString(tw, strings.Repeat("x", int(h.Size)))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func fixChecksum(b []byte) {
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b[:512] {
		sum += int64(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

// archive/tar is the oracle: every tar of the corpus, and the layers a
// real Docker engine exported (testdata/cdiff), read the same.
func TestTarReaderReadsAsArchiveTar(t *testing.T) {
	for name, b := range corpus(t) {
		t.Run(name, func(t *testing.T) { sameAsArchiveTar(t, b) })
	}
	recorded, _ := filepath.Glob("../../testdata/cdiff/scenario/*.tar")
	if len(recorded) == 0 {
		t.Fatal("no recorded tars")
	}
	for _, p := range recorded {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(p), func(t *testing.T) { sameAsArchiveTar(t, b) })
	}
}

// Damaged tars (bytes changed, streams cut) read as archive/tar reads
// them too: the same members, and an error where it finds one.
func TestTarReaderOnDamagedTars(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	var seeds [][]byte
	for _, b := range corpus(t) {
		if len(b) > 0 {
			seeds = append(seeds, b)
		}
	}
	for n := 0; n < 3000 && !t.Failed(); n++ {
		b := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for k := 0; k < 1+rng.IntN(4); k++ {
			b[rng.IntN(len(b))] = byte(rng.IntN(256))
		}
		if rng.IntN(3) == 0 {
			b = b[:rng.IntN(len(b))]
		}
		sameAsArchiveTar(t, b)
	}
}

// FuzzTarReader checks tarReader against archive/tar on any input. Its
// seeds are one member each, about 2 KB: the fuzzer minimises every new
// input it finds byte by byte (for up to -fuzzminimizetime, a minute),
// counting no runs meanwhile, and from the 10-80 KB tars of corpus the
// first minimisation took the whole minute, which looked like a stall.
func FuzzTarReader(f *testing.F) {
	for _, format := range tarFormats {
		for _, m := range corpusFiles(600) {
			f.Add(tarIn(format, m))
		}
	}
	for name, b := range corpus(f) {
		switch {
		case formatNamed[name]: // seeded member by member above
		case len(b) > 6000:
			f.Add(b[:1536]) // a damaged copy of a whole tar: the damage is in its first header
		default:
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameAsArchiveTar(t, b) })
}
