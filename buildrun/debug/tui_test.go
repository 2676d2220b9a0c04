package debug

import (
	"fmt"
	"strings"
	"testing"
)

// Why a shell did not start is the last line the session said before
// it, whatever the writes' boundaries, and kept bounded.
func TestLastLineKeepsWhyNoShell(t *testing.T) {
	var l lastLine
	fmt.Fprintf(&l, "debug: in the failed step's state; the step ran:\r\n  make\r\n")
	fmt.Fprint(&l, "debug: starting a container: ")
	fmt.Fprint(&l, "not supported by this builder\n")
	if l.line != "debug: starting a container: not supported by this builder" {
		t.Errorf("last line %q", l.line)
	}
	fmt.Fprint(&l, strings.Repeat("x", 10000)+"\nend\n")
	if l.line != "end" || len(l.buf) > 4096 {
		t.Errorf("last line %q, kept %d bytes", l.line, len(l.buf))
	}
}

// A Held that holds nothing says why when a shell is asked of it.
func TestHeldWithoutStateSaysWhy(t *testing.T) {
	h := &Held{Why: "the failed step is not a RUN"}
	if _, err := h.Shell(nil, nil, nil, nil); err == nil || err.Error() != "the failed step is not a RUN" {
		t.Errorf("Shell of a COPY failure: %v", err)
	}
	hd := NewHolder(nil)
	hd.Release()
	hd.Release() // twice is fine
	if hd.Note() != "" {
		t.Errorf("a holder that ran no shell notes %q", hd.Note())
	}
}
