package fold

import (
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// TestStatusDedupSharedVertex: the vertex two bake targets share, and its
// logs, reach the display once from the two streams that report it; what
// only one stream says passes.
func TestStatusDedupSharedVertex(t *testing.T) {
	d := NewStatusDedup()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t1 := t0.Add(time.Second)
	shared, own := digest.FromString("base"), digest.FromString("api")
	stream := func(vx digest.Digest, completed bool, log string) *client.SolveStatus {
		v := &client.Vertex{Digest: vx, Name: "[base 2/2] RUN echo shared", Started: &t0}
		if completed {
			v.Completed = &t1
		}
		s := &client.SolveStatus{Vertexes: []*client.Vertex{v}}
		if log != "" {
			s.Logs = []*client.VertexLog{{Vertex: vx, Stream: 1, Data: []byte(log), Timestamp: t0}}
		}
		return s
	}
	var vertices, logs int
	for _, s := range []*client.SolveStatus{
		stream(shared, false, "shared output\n"), // target api
		stream(shared, false, "shared output\n"), // target worker: the same
		stream(shared, true, ""),
		stream(shared, false, ""), // worker's stream, behind: stale
		stream(shared, true, ""),
		stream(own, false, "api's own\n"),
	} {
		if f := d.Filter(s); f != nil {
			vertices += len(f.Vertexes)
			logs += len(f.Logs)
		}
	}
	if vertices != 3 || logs != 2 {
		t.Errorf("%d vertex updates and %d logs passed, want 3 (shared started, shared done, api's) and 2", vertices, logs)
	}
}
