package cdiff

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// Names from a container are escaped in text (ESC, BEL, a line break,
// invalid UTF-8), so that they can neither drive the terminal nor forge a
// line, and kept in JSON, which stays valid, invalid bytes written as
// \xNN as inspect writes them.
func TestWriteEscapesOutsideNames(t *testing.T) {
	for _, c := range []struct{ name, text, json string }{
		{"/tmp/\x1b]0;owned\x07", `A /tmp/\e]0;owned\x07`, "/tmp/\x1b]0;owned\x07"},
		{"/tmp/a\nC /etc/passwd", `A /tmp/a\nC /etc/passwd`, "/tmp/a\nC /etc/passwd"},
		{"/tmp/\xff\xfe", `A /tmp/\xff\xfe`, `/tmp/\xff\xfe`},
	} {
		ch := []Change{{Kind: Added, Path: c.name, Diff: "--- /dev/null\n+++ b" + c.name + "\n@@ -0,0 +1 @@\n+x\n"}}
		var out bytes.Buffer
		if err := Write(&out, ch, false); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(out.String(), "\n")
		if lines[0] != c.text || lines[2] != "+++ b"+c.text[2:] || strings.ContainsAny(out.String(), "\x1b\x07") || bytes.IndexByte(out.Bytes(), 0xff) >= 0 {
			t.Errorf("text %q, want the line %q", out.String(), c.text)
		}
		out.Reset()
		if err := Write(&out, ch, true); err != nil {
			t.Fatal(err)
		}
		var r struct{ Changes []struct{ Path string } }
		if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Changes) != 1 || r.Changes[0].Path != c.json {
			t.Errorf("JSON %s (%v), want path %q", out.String(), err, c.json)
		}
	}
}
