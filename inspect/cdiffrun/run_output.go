package cdiffrun

import (
	"strings"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// runOutput reads a solve's statuses to their end and returns what the
// vertex named name wrote to stdout and stderr, in order.
func runOutput(ch <-chan *client.SolveStatus, name string) []byte {
	var out []byte
	run := map[digest.Digest]bool{}
	for s := range ch {
		for _, v := range s.Vertexes {
			if v.Name == name {
				run[v.Digest] = true
			}
		}
		for _, l := range s.Logs {
			if run[l.Vertex] {
				out = append(out, l.Data...)
			}
		}
	}
	return out
}

// runcNotStarted begins the log BuildKit's runc executor writes when the
// process could not be started (no such file, not executable, bad user).
const runcNotStarted = "runc run failed: unable to start container process: "

// notStarted says whether a run's output is runc's report that the
// command never started, and gives its cause on one line.
func notStarted(out []byte) (string, bool) {
	s, ok := strings.CutPrefix(string(out), runcNotStarted)
	if !ok {
		return "", false
	}
	s, _, _ = strings.Cut(s, "\n")
	return strings.TrimPrefix(s, "exec: "), true
}
