package debug

import (
	"bytes"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model/compare"
)

// Text is told from binary by its bytes: UTF-8 with no NUL or other
// control byte but tab, newline, CR, form feed and escape.
func TestIsText(t *testing.T) {
	for s, want := range map[string]bool{
		"partial\n": true, "a\tb\r\n": true, "é ✓\n": true, "\x1b[31mred\x1b[0m": true,
		"a\x00b": false, "\xff\xfe": false, "\x7fELF": false, "\x01\x02": false,
	} {
		if got := isText([]byte(s)); got != want {
			t.Errorf("isText(%q) = %v, want %v", s, got, want)
		}
	}
}

// A small text file's content is printed under its line, escaped and
// bounded; a file whose content is not shown says why on its line.
func TestWriteWroteShowsContent(t *testing.T) {
	var long strings.Builder
	for range maxShownLines + 3 {
		long.WriteString("x\n")
	}
	var b bytes.Buffer
	writeWrote(&b, []Written{
		{FileChange: compare.FileChange{Path: "/out/p", Kind: "A", Size: [2]int64{0, 8}}, Content: "partial\n"},
		{FileChange: compare.FileChange{Path: "/out/esc", Kind: "C", Size: [2]int64{1, 9}}, Content: "\x1b[2Jgone"},
		{FileChange: compare.FileChange{Path: "/out/long", Kind: "A", Size: [2]int64{0, 46}}, Content: long.String()},
		{FileChange: compare.FileChange{Path: "/out/bin", Kind: "A", Size: [2]int64{0, 3}}, NotShown: "binary: content not shown"},
	})
	got := b.String()
	for _, want := range []string{
		"  A /out/p  8B\n    | partial\n  C /out/esc",
		"    | \\e[2Jgone\n    (no newline at end of file)\n",
		"    | … 3 more lines\n  A /out/bin  3B  (binary: content not shown)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("an escape byte reached the terminal:\n%q", got)
	}
}
