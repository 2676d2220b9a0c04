package progress

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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

// The Docker engine 20.10's BuildKit (0.8) runs `load metadata` as two
// overlapping jobs of one vertex and reports both starts, and one or both
// completions (recorded from real builds of the multistage example on the
// engine, --no-cache): the plain display names it once, says it is DONE
// once, and never shows it running again ("#3 ...").
func TestPlainShowsLoadMetadataOnce(t *testing.T) {
	for _, rec := range []string{"engine-0.8-twice.jsonl", "engine-0.8-unclosed.jsonl"} {
		out := plainOf(t, filepath.Join("testdata", rec))
		if n := strings.Count(out, "] load metadata for 127.0.0.1:5015/buildscope/busybox:latest\n"); n != 1 {
			t.Errorf("%s: load metadata named %d times, want once:\n%s", rec, n, out)
		}
		if n := strings.Count(out, "\n#3 DONE"); n != 1 || strings.Contains(out, "#3 ...") {
			t.Errorf("%s: load metadata (#3) DONE %d times, want once, and never left running:\n%s", rec, n, out)
		}
		if n := strings.Count(out, " DONE ") + strings.Count(out, " CACHED\n"); n < 15 {
			t.Errorf("%s: %d vertices ended, want every step's:\n%s", rec, n, out)
		}
	}
}

// plainOf is BuildKit's plain display of the status stream recorded in
// path, fed to Show one status at a time.
func plainOf(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []*client.SolveStatus
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var s client.SolveStatus
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		events = append(events, &s)
	}
	// the display prints at most every TTY_DISPLAY_RATE ms: let it print
	// after each status, as it does when they come one by one from a build
	t.Setenv("TTY_DISPLAY_RATE", "1")
	var stdout, stderr bytes.Buffer
	err = Show(context.Background(), &stdout, &stderr, progressui.PlainMode, func(onStatus func(*client.SolveStatus)) error {
		for _, s := range events {
			onStatus(s)
			time.Sleep(3 * time.Millisecond)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return stderr.String()
}
