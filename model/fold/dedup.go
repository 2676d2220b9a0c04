package fold

import (
	"hash/maphash"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
)

// StatusDedup lets each vertex update, progress status, log and warning of
// the solves of one bake through once: BuildKit runs a vertex that several
// targets share once and reports it in each target's stream, which a
// display would print twice (`docker buildx bake` prints it once). Its
// Filter may be called from several goroutines at once.
type StatusDedup struct {
	mu       sync.Mutex
	seed     maphash.Seed
	vertices map[digest.Digest]vertexState
	statuses map[statusKey]statusState
	seen     map[dataKey]struct{} // logs and warnings
}

type vertexState struct {
	started, completed, cached bool
	err                        string
}

type statusKey struct {
	vertex digest.Digest
	id     string
}

type statusState struct {
	current, total    int64
	started, finished bool
}

// dataKey is a log chunk or a warning of a vertex: the same vertex, stream
// (or level), time and bytes are one report however many streams bring it.
type dataKey struct {
	vertex digest.Digest
	stream int
	at     time.Time
	sum    uint64
}

// NewStatusDedup is a StatusDedup that has seen nothing yet.
func NewStatusDedup() *StatusDedup {
	return &StatusDedup{seed: maphash.MakeSeed(), vertices: map[digest.Digest]vertexState{},
		statuses: map[statusKey]statusState{}, seen: map[dataKey]struct{}{}}
}

// Filter is s without what an earlier status of any stream already said;
// nil when nothing is left.
func (d *StatusDedup) Filter(s *client.SolveStatus) *client.SolveStatus {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := &client.SolveStatus{}
	for _, v := range s.Vertexes {
		st := vertexState{started: v.Started != nil, completed: v.Completed != nil, cached: v.Cached, err: v.Error}
		if old, ok := d.vertices[v.Digest]; ok && (old == st || old.completed && !st.completed) {
			continue // said already, or a stream behind another that saw it end
		}
		d.vertices[v.Digest] = st
		out.Vertexes = append(out.Vertexes, v)
	}
	for _, x := range s.Statuses {
		k := statusKey{x.Vertex, x.ID}
		st := statusState{current: x.Current, total: x.Total, started: x.Started != nil, finished: x.Completed != nil}
		if old, ok := d.statuses[k]; ok && old == st {
			continue
		}
		d.statuses[k] = st
		out.Statuses = append(out.Statuses, x)
	}
	for _, l := range s.Logs {
		if d.once(dataKey{l.Vertex, l.Stream, l.Timestamp, maphash.Bytes(d.seed, l.Data)}) {
			out.Logs = append(out.Logs, l)
		}
	}
	for _, w := range s.Warnings {
		if d.once(dataKey{w.Vertex, w.Level, time.Time{}, maphash.Bytes(d.seed, w.Short)}) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	if len(out.Vertexes)+len(out.Statuses)+len(out.Logs)+len(out.Warnings) == 0 {
		return nil
	}
	return out
}

func (d *StatusDedup) once(k dataKey) bool {
	if _, ok := d.seen[k]; ok {
		return false
	}
	d.seen[k] = struct{}{}
	return true
}
