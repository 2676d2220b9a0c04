package logs

import (
	"fmt"
	"strings"
	"testing"
)

func lines(b *Buffer) []string {
	var out []string
	for i := 0; i < b.Len(); i++ {
		out = append(out, b.Line(i))
	}
	return out
}

func TestBufferLinesAcrossWrites(t *testing.T) {
	b := NewBuffer(1024)
	b.Write([]byte("one\ntw"))
	b.Write([]byte("o\nthree"))
	if got := strings.Join(lines(b), "|"); got != "one|two|three" {
		t.Errorf("lines %q", got)
	}
	b.Write([]byte("\n10%\r50%\r100%\n"))
	if got := lines(b); got[3] != "100%" || len(got) != 4 {
		t.Errorf("carriage returns: %q", got)
	}
}

func TestBufferCapDropsOldest(t *testing.T) {
	b := NewBuffer(100)
	for i := 0; i < 1000; i++ {
		b.Write([]byte(fmt.Sprintf("line %04d\n", i))) // 10 bytes each
	}
	if b.Bytes() > 100 {
		t.Errorf("kept %d bytes, cap 100", b.Bytes())
	}
	got := lines(b)
	if len(got) != 10 || got[9] != "line 0999" || got[0] != "line 0990" {
		t.Errorf("kept %q", got)
	}
	if b.Dropped() != 990*10 {
		t.Errorf("dropped %d, want %d", b.Dropped(), 990*10)
	}
	// one huge line without newline stays bounded too
	b.Write([]byte(strings.Repeat("x", 10000)))
	if b.Bytes() > 100 {
		t.Errorf("partial line kept %d bytes", b.Bytes())
	}
}
