package cdiffrun

import (
	"testing"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// The run's output is its own vertex's log, in order; other vertices'
// logs (loading the image) are not part of it.
func TestRunOutput(t *testing.T) {
	ch := make(chan *client.SolveStatus, 4)
	run, load := digest.FromString("run"), digest.FromString("load")
	ch <- &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: run, Name: "[diff] [sh]"}, {Digest: load, Name: "[diff] load x"}}}
	ch <- &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: run, Stream: 1, Data: []byte("out\n")}, {Vertex: load, Data: []byte("noise")}}}
	ch <- &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: run, Stream: 2, Data: []byte("err\n")}}}
	close(ch)
	if got := string(runOutput(ch, "[diff] [sh]")); got != "out\nerr\n" {
		t.Errorf("output %q", got)
	}
}

// runc's report that the command never started is told apart from a
// command's own output.
func TestNotStarted(t *testing.T) {
	cause, ok := notStarted([]byte(runcNotStarted + "exec: \"/no/such/bin\": stat /no/such/bin: no such file or directory\n"))
	if !ok || cause != `"/no/such/bin": stat /no/such/bin: no such file or directory` {
		t.Errorf("not started: %v %q", ok, cause)
	}
	if _, ok := notStarted([]byte("hello\n" + runcNotStarted)); ok {
		t.Error("a command's own output was taken for runc's")
	}
}
