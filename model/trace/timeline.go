package trace

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
)

// Kinds of time in a Timeline's split.
const (
	KindResolve = "resolve" // base image metadata
	KindPull    = "pull"    // FROM: fetching the base image
	KindContext = "context" // sending the build context and Dockerfile
	KindRun     = "run"
	KindCopy    = "copy" // COPY and ADD
	KindExport  = "export"
	KindCache   = "cache" // cache import and export
	KindOther   = "other"
	KindIdle    = "idle" // nothing ran
)

// Timeline is where a build's time went: every vertex BuildKit ran on a
// shared time axis, the critical path (the chain of steps, through
// BuildKit's own vertex inputs, whose durations and gaps add up to the
// build's wall time), each step's slack and what a cache hit on it would
// have saved, and the time split by kind.
type Timeline struct {
	Build string    `json:"build"`
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Wall  float64   `json:"wall_seconds"`
	Spans []Span    `json:"steps"`
	// Critical lists the critical path's vertex digests, first to last.
	Critical []string `json:"critical_path"`
	// Split is seconds by kind over the whole build: the union of the
	// intervals of that kind, so parallel steps count once; idle is time
	// when nothing ran.
	Split map[string]float64 `json:"split_seconds"`
	// Stages is the split per stage.
	Stages []StageSplit `json:"stages"`
	// Parallelism is the mean number of vertices running at once.
	Parallelism float64 `json:"parallelism"`

	cycle []string // see Cycle
}

// Cycle is a cycle of vertex inputs in the events (digests, the first
// repeated at the end), or nil. BuildKit's vertices form a DAG; a cycle
// comes from an edited or damaged record, and such a Timeline has its
// spans and split but no critical path, slack or saving.
func (tl *Timeline) Cycle() []string { return tl.cycle }

// CycleError is the cycle as a one-line error naming its vertices, or nil.
func (tl *Timeline) CycleError() error {
	if tl.cycle == nil {
		return nil
	}
	byDigest := make(map[string]string, len(tl.Spans))
	for _, s := range tl.Spans {
		byDigest[s.Digest] = s.Name
	}
	var parts []string
	for i, d := range tl.cycle {
		if i == 8 && len(tl.cycle) > 10 {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(tl.cycle)-9))
			d = tl.cycle[len(tl.cycle)-1]
		} else if i > 8 && i < len(tl.cycle)-1 {
			continue
		}
		parts = append(parts, fmt.Sprintf("%q", model.Printable(shortDigest(d)+" "+byDigest[d])))
	}
	return fmt.Errorf("build %s: the vertices of its events depend on each other in a cycle (%s): BuildKit's vertices form no cycle, so the events were edited or damaged; there is no critical path to follow", model.Printable(tl.Build), strings.Join(parts, " → "))
}

// shortDigest is the first 12 hex digits of a digest.
func shortDigest(d string) string {
	_, hex, ok := strings.Cut(d, ":")
	if !ok {
		hex = d
	}
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return hex
}

// StageSplit is the time split of one stage.
type StageSplit struct {
	Name  string             `json:"name"`
	Start time.Time          `json:"start"`
	End   time.Time          `json:"end"`
	Split map[string]float64 `json:"split_seconds"`
}

// Span is one vertex on the timeline.
type Span struct {
	Digest string    `json:"digest"`
	Name   string    `json:"name"`
	Stage  string    `json:"stage,omitempty"`
	Line   int       `json:"line,omitempty"`
	Kind   string    `json:"kind"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Cached bool      `json:"cached"`
	Inputs []string  `json:"inputs,omitempty"`
	// Critical marks a span on the critical path.
	Critical bool `json:"critical"`
	// Slack is how much later the span could have ended without making
	// the build longer, in seconds.
	Slack float64 `json:"slack_seconds"`
	// Saving is the wall time a cache hit on this step would have saved,
	// computed on the graph (a step beside the critical path saves 0).
	Saving float64 `json:"saving_seconds"`
}

// Seconds is the span's duration.
func (s Span) Seconds() float64 { return s.End.Sub(s.Start).Seconds() }

// NewTimeline lays out the vertices of a build's recorded status stream;
// b (may be nil) names each step's stage and line.
func New(id string, events []*client.SolveStatus, b *model.Build) *Timeline {
	nv := 0
	for _, s := range events {
		nv += len(s.Vertexes)
	}
	byDigest := make(map[string]*Span, nv)
	order := make([]string, 0, nv)
	inputSets := map[*Span]map[string]bool{}
	for _, s := range events {
		for _, v := range s.Vertexes {
			if v == nil || v.Started == nil {
				continue
			}
			d := v.Digest.String()
			sp, ok := byDigest[d]
			if !ok {
				sp = &Span{Digest: d, Name: v.Name, Start: *v.Started}
				byDigest[d] = sp
				order = append(order, d)
			}
			if v.Started.Before(sp.Start) {
				sp.Start = *v.Started
			}
			if v.Completed != nil && v.Completed.After(sp.End) {
				sp.End = *v.Completed
			}
			sp.Cached = sp.Cached || v.Cached
			for _, in := range v.Inputs {
				addInput(sp, in.String(), inputSets)
			}
		}
	}
	tl := &Timeline{Build: id, Split: map[string]float64{}}
	ptrs := make([]*Span, 0, len(order))
	for _, d := range order {
		sp := byDigest[d]
		if sp.End.IsZero() || sp.End.Before(sp.Start) {
			sp.End = sp.Start // never completed (a failed or canceled build)
		}
		ptrs = append(ptrs, sp)
	}
	slices.SortStableFunc(ptrs, func(a, b *Span) int { return a.Start.Compare(b.Start) })
	tl.Spans = make([]Span, len(ptrs))
	for i, sp := range ptrs {
		tl.Spans[i] = *sp
	}
	where := stepPlaces(b)
	var busy float64
	for i := range tl.Spans {
		sp := &tl.Spans[i]
		if p, ok := where[sp.Digest]; ok {
			sp.Stage, sp.Line = p.stage, p.line
		}
		sp.Kind = spanKind(sp.Name)
		if i == 0 || sp.Start.Before(tl.Start) {
			tl.Start = sp.Start
		}
		if sp.End.After(tl.End) {
			tl.End = sp.End
		}
		busy += sp.Seconds()
	}
	tl.Wall = tl.End.Sub(tl.Start).Seconds()
	if tl.Wall > 0 {
		tl.Parallelism = busy / tl.Wall
	}
	tl.split()
	tl.critical()
	return tl
}

// addInput adds input d to sp once. A span with many inputs keeps them
// in a set too, so that a vertex naming thousands of inputs (or one
// input thousands of times) costs time linear in them.
func addInput(sp *Span, d string, sets map[*Span]map[string]bool) {
	if len(sp.Inputs) < 16 {
		if !slices.Contains(sp.Inputs, d) {
			sp.Inputs = append(sp.Inputs, d)
		}
		return
	}
	set := sets[sp]
	if set == nil {
		set = make(map[string]bool, 2*len(sp.Inputs))
		for _, in := range sp.Inputs {
			set[in] = true
		}
		sets[sp] = set
	}
	if !set[d] {
		set[d] = true
		sp.Inputs = append(sp.Inputs, d)
	}
}

type place struct {
	stage string
	line  int
}

func stepPlaces(b *model.Build) map[string]place {
	out := map[string]place{}
	if b == nil {
		return out
	}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			out[st.Digest] = place{s.Name, st.Line}
		}
	}
	return out
}

// stepText is a step vertex's instruction ("[s 2/5] RUN x" → "RUN x"),
// or "" for a vertex that is not a Dockerfile step.
func stepText(name string) string {
	if !strings.HasPrefix(name, "[") {
		return ""
	}
	i := strings.Index(name, "] ")
	if i < 0 || !strings.Contains(name[:i], "/") || name[i-1] < '0' || name[i-1] > '9' {
		return ""
	}
	return name[i+2:]
}

// spanKind classifies a vertex by BuildKit's name for it.
func spanKind(name string) string {
	n := name
	if t := stepText(name); t != "" {
		n = t
	}
	switch {
	case strings.HasPrefix(name, "[internal] load metadata for"), strings.HasPrefix(name, "resolve image config"):
		return KindResolve
	case strings.HasPrefix(name, "[internal] load"), strings.HasPrefix(name, "[context "):
		return KindContext
	case strings.HasPrefix(name, "importing cache"), strings.HasPrefix(name, "exporting cache"), strings.HasPrefix(name, "exporting to cache"):
		return KindCache
	case strings.HasPrefix(name, "exporting"), strings.HasPrefix(name, "writing image"), strings.HasPrefix(name, "naming to"),
		strings.HasPrefix(name, "pushing"), strings.HasPrefix(name, "sending tarball"):
		return KindExport
	case strings.HasPrefix(n, "FROM "):
		return KindPull
	case strings.HasPrefix(n, "RUN "):
		return KindRun
	case strings.HasPrefix(n, "COPY "), strings.HasPrefix(n, "ADD "):
		return KindCopy
	}
	return KindOther
}

// split sums, per kind and per stage, the union of the spans' intervals.
func (tl *Timeline) split() {
	byKind := map[string][]int{}
	byStage := map[string][]int{}
	var stages []string
	for i, sp := range tl.Spans {
		byKind[sp.Kind] = append(byKind[sp.Kind], i)
		if sp.Stage != "" {
			if _, ok := byStage[sp.Stage]; !ok {
				stages = append(stages, sp.Stage)
			}
			byStage[sp.Stage] = append(byStage[sp.Stage], i)
		}
	}
	all := make([]int, len(tl.Spans))
	for i := range all {
		all[i] = i
	}
	for k, idx := range byKind {
		tl.Split[k] = round3(tl.union(idx))
	}
	tl.Split[KindIdle] = round3(tl.Wall - tl.union(all))
	for _, name := range stages {
		idx := byStage[name]
		ss := StageSplit{Name: name, Start: tl.Spans[idx[0]].Start, Split: map[string]float64{}}
		kinds := map[string][]int{}
		for _, i := range idx {
			kinds[tl.Spans[i].Kind] = append(kinds[tl.Spans[i].Kind], i)
			if tl.Spans[i].End.After(ss.End) {
				ss.End = tl.Spans[i].End
			}
		}
		for k, ks := range kinds {
			ss.Split[k] = round3(tl.union(ks))
		}
		tl.Stages = append(tl.Stages, ss)
	}
}

// union is the total length of the intervals of spans idx (in start
// order, as Spans are), overlaps counted once.
func (tl *Timeline) union(idx []int) float64 {
	var total time.Duration
	var start, end time.Time
	for k, i := range idx {
		s := tl.Spans[i]
		if k == 0 || s.Start.After(end) {
			total += end.Sub(start)
			start, end = s.Start, s.End
			continue
		}
		if s.End.After(end) {
			end = s.End
		}
	}
	total += end.Sub(start)
	return total.Seconds()
}

func round3(f float64) float64 {
	if f < 0 {
		return 0
	}
	return float64(int64(f*1000+0.5)) / 1000
}
