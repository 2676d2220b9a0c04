package dockerfile

import (
	"strconv"
	"strings"
	"testing"
)

// A line longer than BuildKit's parser reads is named by its own number
// (BuildKit's message names the line before it), with continuation lines
// and CRLF before it counted.
func TestParseDockerfileOverlongLine(t *testing.T) {
	for _, c := range []struct {
		before string
		line   int
	}{
		{"FROM busybox\nRUN echo one\n", 3},
		{"FROM busybox\nRUN echo a \\\n  b \\\n  c\n", 5},
		{"FROM busybox\r\n# comment\r\n\r\n", 4},
		{"", 1},
	} {
		df := c.before + "RUN echo " + strings.Repeat("x", 70000) + "\nRUN echo after\n"
		_, err := Parse("Dockerfile", []byte(df), nil)
		want := "Dockerfile:" + strconv.Itoa(c.line) + ": the line is longer than 65535 bytes, the most BuildKit's parser reads"
		if err == nil || err.Error() != want {
			t.Errorf("%q…:\n got %v\nwant %s", c.before, err, want)
		}
	}
	// a line of exactly 65535 bytes still parses
	if _, err := Parse("Dockerfile", []byte("FROM busybox\nRUN echo "+strings.Repeat("x", 65535-9)+"\n"), nil); err != nil {
		t.Errorf("a line of 65535 bytes: %v", err)
	}
}
