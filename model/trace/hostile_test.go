package trace

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// vertex is a vertex of a hostile event stream: name, start and end in
// seconds from t0, and the names of its inputs.
type vertex struct {
	name       string
	start, end float64
	inputs     []string
}

func hostileEvents(vs ...vertex) []*client.SolveStatus {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) *time.Time { t := t0.Add(time.Duration(s * float64(time.Second))); return &t }
	st := &client.SolveStatus{}
	for _, v := range vs {
		cv := &client.Vertex{Digest: digest.FromString(v.name), Name: v.name, Started: at(v.start), Completed: at(v.end)}
		for _, in := range v.inputs {
			cv.Inputs = append(cv.Inputs, digest.FromString(in))
		}
		st.Vertexes = append(st.Vertexes, cv)
	}
	return []*client.SolveStatus{st}
}

// Hostile event graphs (a record imported or edited): a cycle of vertex
// inputs made the critical path's walk back loop for ever, growing by
// ~500 MB/s. Each is laid out (spans, split) and the cycle is named in
// one line; a graph without one keeps its critical path.
func TestHostileEventGraphs(t *testing.T) {
	for _, c := range []struct {
		name   string
		events []*client.SolveStatus
		cycle  []string // the loop's names, first repeated last; nil: no cycle
	}{
		{"events: two vertices each the other's input", hostileEvents(
			vertex{"[s 1/2] RUN a", 0, 1, []string{"[s 2/2] RUN b"}},
			vertex{"[s 2/2] RUN b", 1, 2, []string{"[s 1/2] RUN a"}},
		), []string{"[s 1/2] RUN a", "[s 2/2] RUN b", "[s 1/2] RUN a"}},
		{"events: a cycle of three below a chain", hostileEvents(
			vertex{"load", 0, 1, nil},
			vertex{"x", 1, 2, []string{"load", "z"}},
			vertex{"y", 2, 3, []string{"x"}},
			vertex{"z", 3, 4, []string{"y"}},
			vertex{"export", 4, 5, []string{"z"}},
		), []string{"x", "z", "y", "x"}},
		{"events: an input that ends after its consumer began (the made-up wait of an input-less vertex would loop: dropped)", hostileEvents(
			vertex{"a", 0, 1, []string{"b"}},
			vertex{"b", 2, 3, nil},
		), nil},
		{"events: a vertex that is its own input (ignored)", hostileEvents(
			vertex{"a", 0, 1, []string{"a"}},
			vertex{"b", 1, 2, []string{"a"}},
		), nil},
		{"events: one input named 20,000 times", hostileEvents(
			vertex{"a", 0, 1, nil},
			vertex{"b", 1, 2, repeat("a", 20000)},
		), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			tl := New("b1", c.events, nil)
			if c.cycle == nil {
				if tl.Cycle() != nil || tl.CycleError() != nil {
					t.Fatalf("cycle %v reported in a DAG", tl.Cycle())
				}
				if len(tl.Critical) == 0 {
					t.Errorf("no critical path")
				}
				for _, s := range tl.Spans {
					if len(s.Inputs) > 1 {
						t.Errorf("%s keeps %d inputs, want each once", s.Name, len(s.Inputs))
					}
				}
				return
			}
			var got []string
			for _, d := range tl.Cycle() {
				for _, s := range tl.Spans {
					if s.Digest == d {
						got = append(got, s.Name)
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(c.cycle) {
				t.Errorf("cycle %q, want %q", got, c.cycle)
			}
			if len(tl.Critical) != 0 || len(tl.Spans) != len(c.events[0].Vertexes) {
				t.Errorf("critical path %v over %d spans", tl.Critical, len(tl.Spans))
			}
			err := tl.CycleError()
			if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "build b1: the vertices of its events depend on each other in a cycle (") ||
				!strings.Contains(err.Error(), c.cycle[0]) {
				t.Errorf("error %v", err)
			}
		})
	}
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
