// Package progress picks how a build's progress is shown without the
// interactive UI and shows it with BuildKit's own displays (plain, tty,
// or one SolveStatus JSON object per line).
package progress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// Mode reads a --progress value: auto (the interactive UI on a terminal,
// else plain), tty (the interactive UI; needs a terminal), plain or json.
// terminal says whether stdin and stdout are a terminal.
func Mode(s string, terminal bool) (interactive bool, mode progressui.DisplayMode, err error) {
	switch s {
	case "auto", "":
		if terminal {
			return true, progressui.TtyMode, nil
		}
		return false, progressui.PlainMode, nil
	case "tty":
		if !terminal {
			return false, "", errors.New("--progress tty needs a terminal on stdin and stdout: use --progress plain or json")
		}
		return true, progressui.TtyMode, nil
	case "plain":
		return false, progressui.PlainMode, nil
	case "json", "rawjson":
		return false, progressui.RawJSONMode, nil
	}
	return false, "", fmt.Errorf("invalid --progress %q: use auto, tty, plain or json", s)
}

// Show calls run with BuildKit's display in mode fed by the statuses run
// reports: JSON goes to stdout, the others to stderr. The display keeps
// drawing after ctx is canceled, to show where the build stopped.
func Show(ctx context.Context, stdout, stderr io.Writer, mode progressui.DisplayMode, run func(onStatus func(*client.SolveStatus)) error) error {
	out := stderr
	if mode == progressui.RawJSONMode {
		out = stdout
	}
	disp, err := progressui.NewDisplay(out, mode)
	if err != nil {
		return fmt.Errorf("progress output: %w", err)
	}
	ch := make(chan *client.SolveStatus, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = disp.UpdateFrom(context.WithoutCancel(ctx), ch)
	}()
	send := func(s *client.SolveStatus) { ch <- s }
	if mode != progressui.RawJSONMode { // the JSON is BuildKit's stream as it came
		r := repeats{}
		var mu sync.Mutex // bake's targets send from goroutines of their own
		send = func(s *client.SolveStatus) {
			mu.Lock()
			s = r.filter(s)
			mu.Unlock()
			if s != nil {
				ch <- s
			}
		}
	}
	err = run(send)
	close(ch)
	<-done
	return err
}

// repeats takes from a status stream what BuildKit 0.8 (the Docker
// engine 20.10's) says twice: it runs `[internal] load metadata` as two
// overlapping jobs of one vertex and reports each (another start, then a
// second completion), which BuildKit's display prints as the vertex
// again after its DONE. A start while the vertex runs is taken as the
// run's first, and a completion after the run completed is dropped; a
// vertex that runs again (started after it completed) is let through,
// as are its logs and statuses.
type repeats map[digest.Digest]*vertexRun

type vertexRun struct {
	started   time.Time
	completed bool
	cached    bool
	err       string
}

// filter is s without the repeats (nil when nothing is left); s and its
// vertices are not changed.
func (r repeats) filter(s *client.SolveStatus) *client.SolveStatus {
	var keep []*client.Vertex
	changed := false
	for _, v := range s.Vertexes {
		run := r[v.Digest]
		switch {
		case v.Started == nil:
		case run == nil || run.completed && v.Completed == nil: // a (new) run
			r[v.Digest] = &vertexRun{started: *v.Started, completed: v.Completed != nil, cached: v.Cached, err: v.Error}
		case run.completed: // completed again
			if v.Cached == run.cached && v.Error == run.err {
				changed = true
				continue
			}
			run.cached, run.err = v.Cached, v.Error
		default: // the run goes on, or completes
			if !v.Started.Equal(run.started) {
				c := *v
				c.Started = &run.started
				v, changed = &c, true
			}
			run.completed, run.cached, run.err = v.Completed != nil, v.Cached, v.Error
		}
		keep = append(keep, v)
	}
	if !changed {
		return s
	}
	out := *s
	out.Vertexes = keep
	if len(keep)+len(out.Statuses)+len(out.Logs)+len(out.Warnings) == 0 {
		return nil
	}
	return &out
}
