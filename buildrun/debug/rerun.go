package debug

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/buildrun/dockeredit"
)

// maxReRunLog is how much of the edited step's output an Outcome keeps
// (its tail).
const maxReRunLog = 64 << 10

// Outcome is what re-running an edited instruction did.
type Outcome struct {
	// Line is the edited instruction's first Dockerfile line; Text the
	// instruction as edited; Edited the whole Dockerfile with it.
	Line   int
	Text   string
	Edited []byte
	// Passed: the edited step ran and succeeded. ExitCode is its status
	// when it failed (-1: BuildKit did not say). Err is why the re-run
	// failed, when it did (the edited step or one after it).
	Passed   bool
	ExitCode int
	Err      string
	// Ran and Reused count the Dockerfile's steps the re-run ran, and
	// those it did not run again (answered from the cache, or the failed
	// build's own results); sources such as the context transfer are not
	// steps.
	Ran, Reused int
	// Log is the edited step's output (its last maxReRunLog bytes).
	Log []byte
}

// Result is the outcome in one line: passed, or failed and how, and how
// many steps ran.
func (o *Outcome) Result() string {
	res := "passed"
	switch {
	case o.Passed && o.Err != "":
		res = "passed; " + o.Err
	case !o.Passed && o.ExitCode >= 0:
		res = fmt.Sprintf("failed (exit code %d)", o.ExitCode)
	case !o.Passed && o.Err != "":
		res = "failed: " + o.Err
	case !o.Passed:
		res = "failed"
	}
	return fmt.Sprintf("the edited step (line %d) %s; %s ran, %d reused (from the cache or the failed build)", o.Line, res, plural(o.Ran, "step"), o.Reused)
}

// Note is the outcome as the build's record keeps it.
func (o *Outcome) Note() string {
	return fmt.Sprintf("a debug session re-ran line %d edited to `%s`: %s", o.Line, oneLine(o.Text), strings.TrimPrefix(o.Result(), fmt.Sprintf("the edited step (line %d) ", o.Line)))
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// ReRun solves the build that opt describes (as the failed build ran it:
// the same frontend, build args, target, context and session) with in
// replaced by text, in a build of its own that writes nothing of the
// user's (no export, no cache export, not in the builder's history): the
// steps before the edited one are answered from the cache; the edited
// step and those after it run (before: what the failed build completed,
// nil when unknown). dockeredit.ErrNothing (wrapped) when the edit
// changes nothing.
func ReRun(ctx context.Context, c *client.Client, opt client.SolveOpt, frontend string, in *dockeredit.Instruction, text string, before *doneSteps) (*Outcome, error) {
	edited, err := in.Replace(text)
	if err != nil {
		return nil, err
	}
	o := &Outcome{Line: in.Start, Text: strings.TrimRight(text, "\r\n"), Edited: edited, ExitCode: -1}
	opt.Ref, opt.Frontend, opt.Exports, opt.CacheExports, opt.Internal = "", "", nil, nil, true
	opt.SessionPreInitialized = opt.SharedSession != nil // the failed build's session runs on: not closed by this one
	var steps, target map[digest.Digest]bool
	ch := make(chan *client.SolveStatus)
	done := make(chan struct{})
	vertices, logs := map[digest.Digest]*client.Vertex{}, map[digest.Digest][]byte{}
	go func() {
		defer close(done)
		for s := range ch {
			for _, v := range s.Vertexes {
				vertices[v.Digest] = v
			}
			for _, l := range s.Logs {
				b := append(logs[l.Vertex], l.Data...)
				logs[l.Vertex] = b[max(0, len(b)-maxReRunLog):]
			}
		}
	}()
	_, err = c.Build(ctx, opt, "buildscope", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
		st := llb.Scratch().File(llb.Mkfile(in.Name, 0o644, edited))
		if in.Ignore != nil {
			st = st.File(llb.Mkfile(in.Name+".dockerignore", 0o644, in.Ignore))
		}
		df, err := st.Marshal(ctx)
		if err != nil {
			return nil, fmt.Errorf("making the edited Dockerfile: %w", err)
		}
		res, err := gc.Solve(ctx, gateway.SolveRequest{Frontend: frontend, FrontendOpt: maps.Clone(gc.BuildOpts().Opts),
			FrontendInputs: map[string]*pb.Definition{"dockerfile": df.ToPB()}})
		if err != nil {
			return nil, err
		}
		s, t, err := stepsOf(ctx, res, in.Start)
		if err != nil {
			return nil, err
		}
		steps, target = s, t
		if err := res.EachRef(func(ref gateway.Reference) error { return ref.Evaluate(ctx) }); err != nil {
			return nil, err
		}
		return gateway.NewResult(), nil // nothing to export
	}, ch)
	<-done
	for d := range target {
		o.Log = append(o.Log, logs[d]...)
	}
	for d, v := range vertices {
		if !steps[d] || v.Completed == nil && v.Error == "" {
			continue
		}
		if v.Cached || before.has(d) {
			o.Reused++
		} else {
			o.Ran++
		}
	}
	if err == nil {
		o.Passed = true
		return o, nil
	}
	o.Err = firstLine(err.Error())
	var ee *gwpb.ExitError
	var ve *errdefs.VertexError
	if errors.As(err, &ee) && errors.As(err, &ve) && target[digest.Digest(ve.Digest)] {
		o.ExitCode = int(ee.ExitCode)
	} else if len(target) > 0 && !anyFailed(vertices, target) {
		o.Passed = true // the edited step ran; one after it failed
		o.Err = "a later step failed: " + o.Err
	}
	return o, nil
}

// stepsOf reads the LLB of the frontend's result: its Dockerfile steps
// (ops with a Dockerfile location that are not sources), and the ops of
// the instruction on line.
func stepsOf(ctx context.Context, res *gateway.Result, line int) (steps, target map[digest.Digest]bool, _ error) {
	steps, target = map[digest.Digest]bool{}, map[digest.Digest]bool{}
	return steps, target, res.EachRef(func(ref gateway.Reference) error {
		g, err := graphOf(ctx, ref, "the edited re-run")
		if err != nil {
			return err
		}
		for d, op := range g.ops {
			if _, ok := g.dockerfileLines[d]; ok && op.GetSource() == nil {
				steps[d] = true
			}
		}
		if d, ok := g.stepAt(line); ok {
			target[d] = true
		}
		return nil
	})
}

func anyFailed(vertices map[digest.Digest]*client.Vertex, ds map[digest.Digest]bool) bool {
	for d := range ds {
		if v := vertices[d]; v == nil || v.Error != "" || v.Completed == nil {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// doneSteps are the vertices the failed build completed, read from its
// status stream (teeStatus): a re-run's vertex among them is not run
// again — BuildKit shares the held build's results, or answers from
// the cache — even when its status, replayed, does not say cached.
type doneSteps struct {
	mu   sync.Mutex
	done map[digest.Digest]bool
}

func (d *doneSteps) has(v digest.Digest) bool {
	if d == nil {
		return false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done[v]
}

// teeStatus passes the build's status on to ch (closed when the returned
// channel is) and keeps the vertices it completed.
func teeStatus(ch chan *client.SolveStatus) (chan *client.SolveStatus, *doneSteps) {
	d := &doneSteps{done: map[digest.Digest]bool{}}
	in := make(chan *client.SolveStatus)
	go func() {
		defer func() {
			if ch != nil {
				close(ch)
			}
		}()
		for s := range in {
			d.mu.Lock()
			for _, v := range s.Vertexes {
				if v.Completed != nil && v.Error == "" {
					d.done[v.Digest] = true
				}
			}
			d.mu.Unlock()
			if ch != nil {
				ch <- s
			}
		}
	}()
	return in, d
}
