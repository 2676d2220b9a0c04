package trace

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"

	"github.com/buildscope/buildscope/model"
)

// ChromeTrace is the Trace Event Format (JSON object form) that Perfetto
// and chrome://tracing open: one complete event ("ph":"X") per span, one
// thread per stage, named by metadata events.
type ChromeTrace struct {
	TraceEvents     []ChromeEvent `json:"traceEvents"`
	DisplayTimeUnit string        `json:"displayTimeUnit"`
}

// ChromeEvent is one event of a ChromeTrace.
type ChromeEvent struct {
	Name string         `json:"name"`
	Cat  string         `json:"cat,omitempty"`
	Ph   string         `json:"ph"`
	Ts   int64          `json:"ts"` // microseconds from the build's start
	Dur  int64          `json:"dur,omitempty"`
	Pid  int            `json:"pid"`
	Tid  int            `json:"tid"`
	Args map[string]any `json:"args,omitempty"`
}

// Chrome is the timeline in the Trace Event Format.
func (tl *Timeline) Chrome() ChromeTrace {
	out := ChromeTrace{DisplayTimeUnit: "ms", TraceEvents: []ChromeEvent{}}
	lanes := map[string]int{}
	lane := func(stage string) int {
		if stage == "" {
			stage = "(build)"
		}
		if t, ok := lanes[stage]; ok {
			return t
		}
		lanes[stage] = len(lanes) + 1
		out.TraceEvents = append(out.TraceEvents, ChromeEvent{Name: "thread_name", Ph: "M", Pid: 1, Tid: lanes[stage], Args: map[string]any{"name": stage}})
		return lanes[stage]
	}
	out.TraceEvents = append(out.TraceEvents, ChromeEvent{Name: "process_name", Ph: "M", Pid: 1, Args: map[string]any{"name": "build " + tl.Build}})
	for _, s := range tl.Spans {
		out.TraceEvents = append(out.TraceEvents, ChromeEvent{
			Name: s.Name, Cat: s.Kind, Ph: "X", Pid: 1, Tid: lane(s.Stage),
			Ts: s.Start.Sub(tl.Start).Microseconds(), Dur: s.End.Sub(s.Start).Microseconds(),
			Args: map[string]any{"digest": s.Digest, "cached": s.Cached, "critical": s.Critical, "slack_seconds": s.Slack, "saving_seconds": s.Saving},
		})
	}
	return out
}

// OTLPTrace is an OpenTelemetry ExportTraceServiceRequest in OTLP/JSON:
// a span for the build, one per stage under it, one per step under its
// stage.
type OTLPTrace struct {
	ResourceSpans []OTLPResourceSpans `json:"resourceSpans"`
}

// OTLPResourceSpans is the spans of one resource (the build).
type OTLPResourceSpans struct {
	Resource   OTLPResource     `json:"resource"`
	ScopeSpans []OTLPScopeSpans `json:"scopeSpans"`
}

// OTLPResource names the service that made the spans.
type OTLPResource struct {
	Attributes []OTLPAttribute `json:"attributes"`
}

// OTLPScopeSpans is the spans of one instrumentation scope.
type OTLPScopeSpans struct {
	Scope struct {
		Name string `json:"name"`
	} `json:"scope"`
	Spans []OTLPSpan `json:"spans"`
}

// OTLPSpan is one span; ids are hex, times decimal strings of Unix
// nanoseconds, as OTLP/JSON encodes them.
type OTLPSpan struct {
	TraceID           string          `json:"traceId"`
	SpanID            string          `json:"spanId"`
	ParentSpanID      string          `json:"parentSpanId,omitempty"`
	Name              string          `json:"name"`
	Kind              int             `json:"kind"` // 1: internal
	StartTimeUnixNano string          `json:"startTimeUnixNano"`
	EndTimeUnixNano   string          `json:"endTimeUnixNano"`
	Attributes        []OTLPAttribute `json:"attributes,omitempty"`
}

// OTLPAttribute is a key and a typed value.
type OTLPAttribute struct {
	Key   string         `json:"key"`
	Value map[string]any `json:"value"`
}

func strAttr(k, v string) OTLPAttribute {
	return OTLPAttribute{Key: k, Value: map[string]any{"stringValue": v}}
}

func boolAttr(k string, v bool) OTLPAttribute {
	return OTLPAttribute{Key: k, Value: map[string]any{"boolValue": v}}
}

// OTLP is the timeline as an OTLP/JSON trace.
func (tl *Timeline) OTLP() OTLPTrace {
	traceID := hexID(32, "trace", tl.Build)
	root := OTLPSpan{TraceID: traceID, SpanID: hexID(16, "build", tl.Build), Name: "build " + tl.Build, Kind: 1,
		StartTimeUnixNano: nanos(tl.Start.UnixNano()), EndTimeUnixNano: nanos(tl.End.UnixNano())}
	spans := []OTLPSpan{root}
	stageIDs := map[string]string{}
	for _, st := range tl.Stages {
		id := hexID(16, "stage", tl.Build, st.Name)
		stageIDs[st.Name] = id
		spans = append(spans, OTLPSpan{TraceID: traceID, SpanID: id, ParentSpanID: root.SpanID, Name: "stage " + st.Name, Kind: 1,
			StartTimeUnixNano: nanos(st.Start.UnixNano()), EndTimeUnixNano: nanos(st.End.UnixNano())})
	}
	for _, s := range tl.Spans {
		parent := root.SpanID
		if id, ok := stageIDs[s.Stage]; ok {
			parent = id
		}
		spans = append(spans, OTLPSpan{TraceID: traceID, SpanID: hexID(16, "step", tl.Build, s.Digest), ParentSpanID: parent, Name: s.Name, Kind: 1,
			StartTimeUnixNano: nanos(s.Start.UnixNano()), EndTimeUnixNano: nanos(s.End.UnixNano()),
			Attributes: []OTLPAttribute{strAttr("buildkit.vertex", s.Digest), strAttr("buildscope.kind", s.Kind), boolAttr("buildkit.cached", s.Cached), boolAttr("buildscope.critical", s.Critical)}})
	}
	ss := OTLPScopeSpans{Spans: spans}
	ss.Scope.Name = "buildscope"
	return OTLPTrace{ResourceSpans: []OTLPResourceSpans{{
		Resource:   OTLPResource{Attributes: []OTLPAttribute{strAttr("service.name", "buildscope")}},
		ScopeSpans: []OTLPScopeSpans{ss},
	}}}
}

// hexID is a stable id of n hex digits derived from parts.
func hexID(n int, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:n]
}

func nanos(n int64) string { return strconv.FormatInt(n, 10) }

// WriteTrace writes the timeline as `buildscope trace` prints it: in
// format "chrome" (Trace Event Format) or "otlp" (OTLP/JSON), else as JSON
// when asJSON is set, else as Text.
func (tl *Timeline) WriteTrace(w io.Writer, format string, asJSON bool) error {
	switch {
	case format == "chrome":
		return model.WriteJSON(w, tl.Chrome())
	case format == "otlp":
		return model.WriteJSON(w, tl.OTLP())
	case format != "":
		return fmt.Errorf("invalid --format %q: use chrome or otlp (or --json)", format)
	case asJSON:
		return model.WriteJSON(w, tl)
	}
	_, err := io.WriteString(w, tl.Text())
	return err
}
