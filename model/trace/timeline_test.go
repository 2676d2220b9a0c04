package trace

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// testdata/graph-cold.jsonl is a real cold build of testdata/graph: stages
// assets and compile (RUN … && sleep 0.3 each) run in parallel; combine
// copies from both and mounts compile's output.
func graphTimeline(t *testing.T) *Timeline {
	t.Helper()
	plan := modeltest.LoadPlan(t, "../../testdata/graph/Dockerfile", nil)
	events := modeltest.LoadEvents(t, "../../testdata/graph-cold.jsonl")
	return New("graph", events, foldEvents(t, plan, events))
}

func TestTimelineCriticalPathSumsToWall(t *testing.T) {
	tl := graphTimeline(t)
	if len(tl.Critical) < 2 {
		t.Fatalf("critical path %v", tl.Critical)
	}
	// durations and waits along the path add up to the wall time
	spans := map[string]Span{}
	for _, s := range tl.Spans {
		spans[s.Digest] = s
	}
	first := spans[tl.Critical[0]]
	sum := first.Start.Sub(tl.Start).Seconds()
	prevEnd := first.Start
	for _, d := range tl.Critical {
		s := spans[d]
		sum += s.Start.Sub(prevEnd).Seconds() + s.Seconds()
		prevEnd = s.End
		if !s.Critical {
			t.Errorf("%s on the path is not marked critical", s.Name)
		}
		if math.Abs(s.Slack) > 0.001 {
			t.Errorf("%s is on the critical path with slack %v", s.Name, s.Slack)
		}
	}
	if math.Abs(sum-tl.Wall) > 0.001 {
		t.Errorf("critical path sums to %.3fs, wall is %.3fs", sum, tl.Wall)
	}
	last := spans[tl.Critical[len(tl.Critical)-1]]
	if !last.End.Equal(tl.End) {
		t.Errorf("the path ends with %s at %v, the build at %v", last.Name, last.End, tl.End)
	}
	// the two parallel RUNs: one is on the path, and the other has slack
	// equal to how much earlier it ended (before the combine step needed it)
	var runs []Span
	for _, s := range tl.Spans {
		if (s.Stage == "assets" || s.Stage == "compile") && s.Kind == KindRun {
			runs = append(runs, s)
		}
	}
	if len(runs) != 2 {
		t.Fatalf("parallel RUNs %+v", runs)
	}
	if tl.Parallelism <= 1 {
		t.Errorf("parallelism %.2f with two RUNs side by side", tl.Parallelism)
	}
	for _, s := range runs {
		if s.Slack < 0 {
			t.Errorf("%s has negative slack %v", s.Name, s.Slack)
		}
	}
}

func TestTimelineSplit(t *testing.T) {
	tl := graphTimeline(t)
	var sum float64
	for _, v := range tl.Split {
		sum += v
	}
	if tl.Split[KindRun] <= 0.3 || tl.Split[KindCopy] <= 0 {
		t.Errorf("split %v: want run > 0.3s (two sleeps of 0.3 side by side) and some copy", tl.Split)
	}
	if tl.Split[KindIdle] < 0 || tl.Split[KindIdle] > tl.Wall {
		t.Errorf("idle %v of wall %v", tl.Split[KindIdle], tl.Wall)
	}
	names := map[string]bool{}
	for _, s := range tl.Stages {
		names[s.Name] = true
	}
	for _, n := range []string{"assets", "compile", "combine"} {
		if !names[n] {
			t.Errorf("no split for stage %s: %v", n, tl.Stages)
		}
	}
}

// synthetic spans a→b→d and a→c→d: b (2s) is critical; c (1s) has 1s of
// slack; a hit on b saves 1s (c's branch then sets the pace), on c 0.
func TestTimelineSavingOnTheGraph(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) *time.Time { x := t0.Add(time.Duration(s * float64(time.Second))); return &x }
	dg := func(s string) digest.Digest { return digest.FromString(s) }
	v := func(name string, start, end float64, in ...string) *client.Vertex {
		var ins []digest.Digest
		for _, i := range in {
			ins = append(ins, dg(i))
		}
		return &client.Vertex{Digest: dg(name), Name: "[s 1/1] RUN " + name, Started: at(start), Completed: at(end), Inputs: ins}
	}
	ev := []*client.SolveStatus{{Vertexes: []*client.Vertex{
		v("a", 0, 1), v("b", 1, 3, "a"), v("c", 1, 2, "a"), v("d", 3, 4, "b", "c"),
	}}}
	tl := New("x", ev, nil)
	got := map[string]Span{}
	for _, s := range tl.Spans {
		got[s.Name[len("[s 1/1] RUN "):]] = s
	}
	want := map[string][3]float64{"a": {0, 1, 1}, "b": {0, 1, 1}, "c": {1, 0, 0}, "d": {0, 1, 1}} // slack, saving, critical
	for n, w := range want {
		s := got[n]
		crit := 0.0
		if s.Critical {
			crit = 1
		}
		if s.Slack != w[0] || s.Saving != w[1] || crit != w[2] {
			t.Errorf("%s: slack %v saving %v critical %v, want %v", n, s.Slack, s.Saving, s.Critical, w)
		}
	}
	if tl.Wall != 4 || tl.Parallelism != 5.0/4 {
		t.Errorf("wall %v parallelism %v", tl.Wall, tl.Parallelism)
	}
}

// The chrome and OTLP forms carry every span with the fields their formats
// require.
func TestTraceFormats(t *testing.T) {
	tl := graphTimeline(t)
	var chrome struct {
		TraceEvents []map[string]any `json:"traceEvents"`
	}
	data, _ := json.Marshal(tl.Chrome())
	if err := json.Unmarshal(data, &chrome); err != nil {
		t.Fatal(err)
	}
	complete := 0
	for _, e := range chrome.TraceEvents {
		for _, k := range []string{"name", "ph", "pid"} {
			if _, ok := e[k]; !ok {
				t.Fatalf("event %v lacks %s", e, k)
			}
		}
		if e["ph"] == "X" {
			complete++
			if _, ok := e["ts"].(float64); !ok {
				t.Fatalf("complete event without numeric ts: %v", e)
			}
		}
	}
	if complete != len(tl.Spans) {
		t.Errorf("%d complete events for %d spans", complete, len(tl.Spans))
	}
	o := tl.OTLP()
	spans := o.ResourceSpans[0].ScopeSpans[0].Spans
	ids := map[string]bool{}
	for _, s := range spans {
		if len(s.TraceID) != 32 || len(s.SpanID) != 16 || s.StartTimeUnixNano == "" {
			t.Fatalf("span %+v: OTLP wants 16-byte trace and 8-byte span ids in hex", s)
		}
		ids[s.SpanID] = true
	}
	for _, s := range spans[1:] {
		if !ids[s.ParentSpanID] {
			t.Errorf("span %s has parent %s, which is not in the trace", s.Name, s.ParentSpanID)
		}
	}
	if len(spans) != 1+len(tl.Stages)+len(tl.Spans) {
		t.Errorf("%d spans, want the build, %d stages and %d steps", len(spans), len(tl.Stages), len(tl.Spans))
	}
}

// BenchmarkCriticalPath10k: critical path and slack (with the time split)
// of a synthetic 10,000-step graph: 100 chains of 100 steps, each step
// also reading a step of the neighbouring chain. Limit: 50 ms.
func BenchmarkCriticalPath10k(b *testing.B) {
	ev := syntheticStatus(100, 100)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		New("bench", ev, nil)
	}
}

func syntheticStatus(chains, length int) []*client.SolveStatus {
	t0 := time.Unix(1000, 0)
	var vs []*client.Vertex
	name := func(c, k int) digest.Digest { return digest.FromString(fmt.Sprint(c, "/", k)) }
	for c := 0; c < chains; c++ {
		for k := 0; k < length; k++ {
			start := t0.Add(time.Duration(k*10+c%7) * time.Millisecond)
			end := start.Add(time.Duration(5+(c*k)%5) * time.Millisecond)
			v := &client.Vertex{Digest: name(c, k), Name: fmt.Sprintf("[c%d %d/%d] RUN step", c, k+1, length), Started: &start, Completed: &end}
			if k > 0 {
				v.Inputs = append(v.Inputs, name(c, k-1), name((c+1)%chains, k-1))
			}
			vs = append(vs, v)
		}
	}
	return []*client.SolveStatus{{Vertexes: vs}}
}

// Cached steps are reported done together, right after the cache is
// resolved: a cached step whose wait came from sending the context is not
// what gated the build. The critical path goes through the context load
// (2 s), not through a cached WORKDIR that "ended" a moment after it.
func TestCriticalPathThroughCachedSteps(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(s float64) *time.Time { x := t0.Add(time.Duration(s * float64(time.Second))); return &x }
	dg := func(s string) digest.Digest { return digest.FromString(s) }
	v := func(name string, start, end float64, cached bool, in ...string) *client.Vertex {
		var ins []digest.Digest
		for _, i := range in {
			ins = append(ins, dg(i))
		}
		return &client.Vertex{Digest: dg(name), Name: name, Started: at(start), Completed: at(end), Cached: cached, Inputs: ins}
	}
	ev := []*client.SolveStatus{{Vertexes: []*client.Vertex{
		v("[s 1/4] FROM base", 0, 0.01, false),
		v("[internal] load build context", 0.005, 2.0, false),
		v("[s 2/4] WORKDIR /app", 2.01, 2.01, true, "[s 1/4] FROM base"),
		v("[s 3/4] COPY . .", 2.01, 2.01, true, "[s 2/4] WORKDIR /app", "[internal] load build context"),
		v("[s 4/4] RUN make", 2.01, 2.1, false, "[s 3/4] COPY . ."),
	}}}
	tl := New("x", ev, nil)
	crit := map[string]bool{}
	for _, s := range tl.Spans {
		crit[s.Name] = s.Critical
	}
	if !crit["[internal] load build context"] || crit["[s 2/4] WORKDIR /app"] {
		t.Errorf("critical %v: want the context load on the path, not the cached WORKDIR", crit)
	}
}
