package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model/trace"
)

// Two stages of known sleeps (1.2 s and 0.3 s) run in parallel and a third
// joins them: the long branch and the join are the critical path, the
// short branch has about the difference as slack, a hit on the long RUN
// would save about that difference, and more than one step ran at once.
// Bounds are wide: they allow for the builder's scheduling.
func TestTraceParallelSleeps(t *testing.T) {
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox AS long\nRUN echo "+nonce+" && sleep 1.2 && echo l > /l\n"+
		"FROM 127.0.0.1:5015/buildscope/busybox AS short\nRUN echo "+nonce+" && sleep 0.3 && echo s > /s\n"+
		"FROM 127.0.0.1:5015/buildscope/busybox\nCOPY --from=long /l /l\nCOPY --from=short /s /s\nRUN cat /l /s > /ls\n")
	e := newSoloEnv(t)
	if _, r := e.build(t, "--builder", "embedded", dir); r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	var tl trace.Timeline
	if err := json.Unmarshal([]byte(e.mustRun(t, "trace", "--json").stdout), &tl); err != nil {
		t.Fatal(err)
	}
	var long, short, join *trace.Span
	for i := range tl.Spans {
		s := &tl.Spans[i]
		switch {
		case s.Stage == "long" && s.Kind == trace.KindRun:
			long = s
		case s.Stage == "short" && s.Kind == trace.KindRun:
			short = s
		case s.Kind == trace.KindRun && strings.Contains(s.Name, "cat /l /s"):
			join = s
		}
	}
	if long == nil || short == nil || join == nil {
		t.Fatalf("steps not found in %+v", tl.Spans)
	}
	if !long.Critical || !join.Critical || short.Critical {
		t.Errorf("critical: long %v, join %v, short %v; want the long branch and the join", long.Critical, join.Critical, short.Critical)
	}
	if short.Slack < 0.4 || short.Slack > 1.5 {
		t.Errorf("short branch slack %.3fs, want about 0.9s", short.Slack)
	}
	if long.Saving < 0.4 || long.Saving > 1.5 {
		t.Errorf("a hit on the long RUN would save %.3fs, want about 0.9s", long.Saving)
	}
	if short.Saving != 0 {
		t.Errorf("a hit on the short RUN (beside the critical path) saves %.3fs, want 0", short.Saving)
	}
	if tl.Parallelism <= 1 {
		t.Errorf("parallelism %.2f, want > 1", tl.Parallelism)
	}
	if tl.Split[trace.KindRun] < 1.2 {
		t.Errorf("run time %.3fs, want at least the long sleep", tl.Split[trace.KindRun])
	}
	// the same, for other tools
	var chrome struct {
		TraceEvents []struct {
			Ph  string `json:"ph"`
			Dur int64  `json:"dur"`
		} `json:"traceEvents"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "trace", "--format", "chrome").stdout), &chrome); err != nil || len(chrome.TraceEvents) == 0 {
		t.Fatalf("chrome trace: %v", err)
	}
	var otlp struct {
		ResourceSpans []struct {
			ScopeSpans []struct {
				Spans []struct {
					TraceID, SpanID, Name string
				} `json:"spans"`
			} `json:"scopeSpans"`
		} `json:"resourceSpans"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "trace", "--format", "otlp").stdout), &otlp); err != nil {
		t.Fatal(err)
	}
	if n := len(otlp.ResourceSpans[0].ScopeSpans[0].Spans); n != 1+len(tl.Stages)+len(tl.Spans) {
		t.Errorf("otlp has %d spans, want build + %d stages + %d steps", n, len(tl.Stages), len(tl.Spans))
	}
	if r := e.run(t, nil, "trace", "--format", "svg"); r.code == 0 || !strings.Contains(r.stderr, `invalid --format "svg"`) {
		t.Errorf("bad format: exit %d %s", r.code, r.stderr)
	}
	// plain output names the critical path
	if out := e.mustRun(t, "trace").stdout; !strings.Contains(out, "critical path:") || !strings.Contains(out, "sleep 1.2") {
		t.Errorf("plain trace:\n%s", out)
	}
	// history: the critical path per build, and each step's trend
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(strings.Replace(string(df), "> /ls", "> /ls2", 1)), 0o644)
	if _, r := e.build(t, "--builder", "embedded", dir); r.code != 0 {
		t.Fatalf("second build exited %d", r.code)
	}
	if ls := e.mustRun(t, "history", "ls").stdout; !strings.Contains(ls, "CRITICAL PATH") || !strings.Contains(ls, "longest 1.") {
		t.Errorf("history ls without the critical path:\n%s", ls)
	}
	show := e.mustRun(t, "history", "show", "last").stdout
	var longLine string
	for _, l := range strings.Split(show, "\n") {
		if strings.Contains(l, "sleep 1.2") {
			longLine = l
		}
	}
	if !strings.HasPrefix(strings.TrimSpace(longLine), "C") || !strings.Contains(longLine, "(was 1.") {
		t.Errorf("history show: the long RUN, cached now, should show its earlier 1.2s run:\n%s", show)
	}
}
