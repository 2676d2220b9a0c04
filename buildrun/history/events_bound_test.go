package history

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/model"
)

// writeEvents records events as build id's event log, gzip'd JSON lines.
func writeEvents(t *testing.T, h History, id string, events ...*client.SolveStatus) {
	t.Helper()
	f, err := os.Create(h.eventsPath(id))
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	for _, e := range events {
		if err := json.NewEncoder(gz).Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// savedBuild is a history holding one record, id, without events.
func savedBuild(t *testing.T, id string) History {
	t.Helper()
	h := History{Dir: filepath.Join(t.TempDir(), "history")}
	if err := h.Save(&model.Build{ID: id, Status: model.StatusOK, Started: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	return h
}

func vertex(name string, start, end time.Time, inputs ...string) *client.Vertex {
	v := &client.Vertex{Digest: digest.FromString(name), Name: name, Started: &start, Completed: &end}
	for _, in := range inputs {
		v.Inputs = append(v.Inputs, digest.FromString(in))
	}
	return v
}

// Hostile event logs: trace reads a log within a bound, in one pass that
// keeps only the vertices, and a log whose vertices loop is refused in
// one line (it made trace loop and grow ~500 MB/s).
func TestHostileEventLogs(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	logs := &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: digest.FromString("a"), Data: []byte(strings.Repeat("log line\n", 2000))}}}
	for _, c := range []struct {
		name   string
		bound  int64
		events []*client.SolveStatus
		write  func(h History, id string) // instead of events
		want   string                     // the error; "" for a timeline
	}{
		{name: "events: a vertex cycle is refused by trace", events: []*client.SolveStatus{{Vertexes: []*client.Vertex{
			vertex("a", t0, t0.Add(time.Second), "b"), vertex("b", t0.Add(time.Second), t0.Add(2*time.Second), "a")}}},
			want: "build abcdef000001: the vertices of its events depend on each other in a cycle (\"" + digest.FromString("a").Encoded()[:12] + " a\" → "},
		{name: "events: a log over the bound decompressed is refused", bound: 10000, events: []*client.SolveStatus{
			{Vertexes: []*client.Vertex{vertex("a", t0, t0.Add(time.Second))}}, logs, logs},
			want: "reading events of build abcdef000001: %s holds over 10000 bytes decompressed, over the bound of 10000 bytes: not read"},
		{name: "events: a log file over the bound is refused before it is read", bound: 100,
			write: func(h History, id string) {
				if err := os.WriteFile(h.eventsPath(id), make([]byte, 101), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "reading events of build abcdef000001: %s is 101 bytes, over the bound of 100 bytes: not read"},
		{name: "events: a log within the bound is laid out", bound: 2000, events: []*client.SolveStatus{
			{Vertexes: []*client.Vertex{vertex("a", t0, t0.Add(time.Second))}}, {Vertexes: []*client.Vertex{vertex("b", t0.Add(time.Second), t0.Add(2*time.Second), "a")}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			const id = "abcdef000001"
			h := savedBuild(t, id)
			h.maxEvents = c.bound
			if c.write != nil {
				c.write(h, id)
			} else {
				writeEvents(t, h, id, c.events...)
			}
			tl, err := h.Timeline(id)
			want := c.want
			if strings.Contains(want, "%s") {
				want = fmt.Sprintf(want, h.eventsPath(id))
			}
			if want == "" {
				if err != nil || len(tl.Critical) != 2 {
					t.Fatalf("timeline %v, %v", tl, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error\n got %v\nwant %s…", err, want)
			}
		})
	}
}
