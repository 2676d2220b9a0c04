package buildui

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/model/dockerfile"
)

// syntheticBuild makes a Dockerfile of stages×steps RUN steps (each stage
// copying from the one before) and a status stream that runs two stages at
// a time and streams logBytes of output in 8 KiB chunks.
func syntheticBuild(stages, steps int, logBytes int64) (*dockerfile.Plan, []*client.SolveStatus) {
	var df strings.Builder
	for s := 0; s < stages; s++ {
		fmt.Fprintf(&df, "FROM scratch AS s%d\n", s)
		if s > 0 {
			fmt.Fprintf(&df, "COPY --from=s%d /out /in\n", s-1)
		}
		for i := 0; i < steps; i++ {
			fmt.Fprintf(&df, "RUN make part-%d-%d\n", s, i)
		}
	}
	plan, err := dockerfile.Parse("Dockerfile", []byte(df.String()), nil)
	if err != nil {
		panic(err)
	}
	total := 0
	for _, s := range plan.Stages {
		total += len(s.Steps)
	}
	perStep := logBytes / int64(total)
	chunk := bytes.Repeat([]byte("compiling src/module/file.go: ok, 42 symbols, 0 warnings ........\n"), 128) // 8 KiB
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []*client.SolveStatus
	tick := func() time.Time { t0 = t0.Add(time.Millisecond); return t0 }
	for s := 0; s < len(plan.Stages); s += 2 {
		var running []*client.Vertex
		for _, si := range []int{s, s + 1} {
			if si >= len(plan.Stages) {
				continue
			}
			ps := plan.Stages[si]
			for n := range ps.Steps {
				name := fmt.Sprintf("[%s %d/%d] %s", ps.Name, n+1, len(ps.Steps), ps.Instructions[ps.Steps[n]].Text)
				st := tick()
				v := &client.Vertex{Digest: digest.FromString(name), Name: name, Started: &st}
				out = append(out, &client.SolveStatus{Vertexes: []*client.Vertex{v}})
				running = append(running, v)
			}
		}
		for sent := int64(0); sent < perStep; sent += int64(len(chunk)) {
			for _, v := range running {
				out = append(out, &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: v.Digest, Stream: 1, Data: chunk, Timestamp: tick()}}})
			}
		}
		for _, v := range running {
			c := tick()
			done := *v
			done.Completed = &c
			out = append(out, &client.SolveStatus{Vertexes: []*client.Vertex{&done}})
		}
	}
	return plan, out
}

// peakRSS is the process's peak resident memory (VmHWM) in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkBuildUIFrames streams a synthetic build of 300 steps in 40
// stages with 100 MB of logs through Update and renders a frame after each
// update, reporting the p99 frame time against the 5 ms limit and the peak
// memory against 200 MB. Run: go test -run - -bench BuildUIFrames ./tui/buildui
func BenchmarkBuildUIFrames(b *testing.B) {
	plan, events := syntheticBuild(40, 7, 100<<20)
	steps := 0
	for _, s := range plan.Stages {
		steps += len(s.Steps)
	}
	b.Logf("%d stages, %d steps, %d updates", len(plan.Stages), steps, len(events))
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(150 << 20) // as cmd/buildscope does under the UI
	}
	var frames []time.Duration
	for b.Loop() {
		frames = frames[:0]
		m := New(Options{Plan: plan, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC) }})
		m.Update(teaSize(160, 48))
		for _, e := range events {
			t := time.Now()
			m.Update(StatusMsg{e})
			_ = m.Render()
			frames = append(frames, time.Since(t))
		}
		runtime.KeepAlive(m)
	}
	sort.Slice(frames, func(i, j int) bool { return frames[i] < frames[j] })
	p99 := frames[len(frames)*99/100]
	peak := peakRSS()
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms/frame")
	b.ReportMetric(float64(p99)/float64(5*time.Millisecond), "p99/limit")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
	b.ReportMetric(float64(peak)/float64(200<<20), "peak/limit")
}

// BenchmarkTimelineFrames is BenchmarkBuildUIFrames on the timeline view
// (t), without logs: 300 steps in 40 stages arrive one update at a time,
// the timeline is laid out again and drawn after each. Limit: p99 5 ms.
func BenchmarkTimelineFrames(b *testing.B) {
	plan, events := syntheticBuild(40, 7, 0)
	var frames []time.Duration
	for b.Loop() {
		frames = frames[:0]
		m := New(Options{Plan: plan, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC) }})
		m.Update(teaSize(160, 48))
		m.Update(tea.KeyPressMsg{Code: 't', Text: "t"})
		for _, e := range events {
			t := time.Now()
			m.Update(StatusMsg{e})
			_ = m.Render()
			frames = append(frames, time.Since(t))
		}
		if !strings.Contains(m.Render(), "critical path") {
			b.Fatal("not on the timeline")
		}
	}
	sort.Slice(frames, func(i, j int) bool { return frames[i] < frames[j] })
	p99 := frames[len(frames)*99/100]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms/frame")
	b.ReportMetric(float64(p99)/float64(5*time.Millisecond), "p99/limit")
}

// BenchmarkTimelineLive is a live build watched on its timeline, driven
// as the program drives it: 300 steps' events arrive in bursts of 32 on
// the status channel, each delivery (WaitForStatus) goes through Update
// and a frame is drawn after it, with two clock ticks between bursts.
// One op is the whole build. Run before and after a change with
// go test -run - -bench TimelineLive ./tui/buildui
func BenchmarkTimelineLive(b *testing.B) {
	plan, events := syntheticBuild(40, 7, 0)
	now := time.Date(2026, 1, 1, 0, 0, 1, 0, time.UTC)
	for b.Loop() {
		ch := make(chan *client.SolveStatus, len(events))
		m := New(Options{Plan: plan, Events: ch, Now: func() time.Time { return now }})
		m.Update(teaSize(160, 48))
		m.Update(tea.KeyPressMsg{Code: 't', Text: "t"})
		for from := 0; from < len(events); from += 32 {
			for _, e := range events[from:min(from+32, len(events))] {
				ch <- e
			}
			for len(ch) > 0 {
				m.Update(WaitForStatus(ch)())
				_ = m.Render()
			}
			for range 2 {
				m.Update(tickMsg(now))
				_ = m.Render()
			}
		}
		if !strings.Contains(m.Render(), "critical path") {
			b.Fatal("not on the timeline")
		}
	}
}
