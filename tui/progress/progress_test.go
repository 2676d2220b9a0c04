package progress

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

func TestMode(t *testing.T) {
	for _, c := range []struct {
		in          string
		terminal    bool
		interactive bool
		mode        progressui.DisplayMode
		err         string
	}{
		{"auto", true, true, progressui.TtyMode, ""},
		{"", false, false, progressui.PlainMode, ""},
		{"tty", true, true, progressui.TtyMode, ""},
		{"tty", false, false, "", "needs a terminal"},
		{"plain", true, false, progressui.PlainMode, ""},
		{"json", true, false, progressui.RawJSONMode, ""},
		{"fancy", true, false, "", `invalid --progress "fancy"`},
	} {
		i, m, err := Mode(c.in, c.terminal)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Mode(%q, %v): error %v, want %q", c.in, c.terminal, err, c.err)
			}
			continue
		}
		if err != nil || i != c.interactive || m != c.mode {
			t.Errorf("Mode(%q, %v) = %v, %q, %v; want %v, %q", c.in, c.terminal, i, m, err, c.interactive, c.mode)
		}
	}
}

// JSON goes to stdout, one status per line, and run's statuses all arrive
// before Show returns.
func TestShowJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	now := time.Now()
	err := Show(context.Background(), &stdout, &stderr, progressui.RawJSONMode, func(onStatus func(*client.SolveStatus)) error {
		for _, name := range []string{"[base 1/2] FROM x", "[base 2/2] RUN true"} {
			onStatus(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString(name), Name: name, Started: &now}}})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
	if !strings.Contains(stdout.String(), "[base 2/2] RUN true") || strings.Count(stdout.String(), "\n") != 2 {
		t.Errorf("stdout: %q", stdout.String())
	}
}
