package launch

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/debug"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/stepshell"
)

// stepShells opens shells in completed steps' results (the build UI's x)
// for the build of prepare's inputs: each builds them again, an internal
// build with no outputs, through the gateway, solving the steps up to
// the chosen one (from the cache) and opening a shell in its result.
func (e Env) stepShells(ctx context.Context, prepare func(context.Context) (*build.Prepared, *builder.Builder, func(), error)) stepshell.Opener {
	return func(line int) stepshell.Shell {
		r := &resultShell{ctx: ctx, env: e, line: line, prepare: prepare}
		return &resultCommand{shellCommand: shellCommand{held: r}, r: r}
	}
}

// liveShells is stepShells for the live build p on b (the UI's builder).
func (e Env) liveShells(ctx context.Context, b *builder.Builder, p *build.Prepared) stepshell.Opener {
	return e.stepShells(ctx, func(context.Context) (*build.Prepared, *builder.Builder, func(), error) {
		return p, b, func() {}, nil
	})
}

// replayShells is stepShells for recorded build id, its inputs from the
// record (as recordStages takes them).
func (e Env) replayShells(ctx context.Context, id string) stepshell.Opener {
	return e.stepShells(ctx, func(ctx context.Context) (*build.Prepared, *builder.Builder, func(), error) {
		o, on, err := build.RebuildOptions(e.history(), id, build.Options{}, func(string) bool { return false })
		if err != nil {
			return nil, nil, nil, err
		}
		connect := e.Connect
		if e.Builder == "" && on != "" {
			connect = func(ctx context.Context) (*builder.Builder, error) { return builder.Connect(ctx, on, e.TLS) }
		}
		p, b, err := build.PrepareOn(ctx, o, connect)
		if err != nil {
			return nil, nil, nil, err
		}
		return p, b, func() { b.Close() }, nil
	})
}

// resultCommand is the shell of a resultShell as a stepshell.Shell.
type resultCommand struct {
	shellCommand
	r *resultShell
}

// Said is the line the UI shows once the shell exited.
func (c *resultCommand) Said() string {
	c.r.mu.Lock()
	defer c.r.mu.Unlock()
	return c.r.said
}

// resultShell runs the build again up to the step on line and a shell in
// its result.
type resultShell struct {
	ctx     context.Context
	env     Env
	line    int
	prepare func(context.Context) (*build.Prepared, *builder.Builder, func(), error)

	mu   sync.Mutex
	said string
}

// stepName is a Dockerfile step's vertex name ("[builder 4/6] RUN …"), not
// an internal one (loading the context, resolving an image) nor a FROM
// (its image is pulled, not run).
var stepName = regexp.MustCompile(`^\[(?:[^\]]* )?[0-9]+/[0-9]+\] `)

func ranStep(name string) bool {
	return stepName.MatchString(name) && !strings.HasPrefix(stepName.ReplaceAllString(name, ""), "FROM ")
}

// Shell builds the inputs again with a session paused after the step on
// line, the shell on the given streams; it counts the steps that were not
// cached on the way.
func (r *resultShell) Shell(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*debug.Ran, error) {
	p, b, done, err := r.prepare(r.ctx)
	if err != nil {
		return nil, fmt.Errorf("building the steps up to line %d again: %w", r.line, err)
	}
	defer done()
	q := p.Internal(model.InternalStepShell)
	ctx, stop := context.WithCancel(r.ctx) // the steps after it need not run
	defer stop()
	var shell *debug.Ran
	var shellErr error
	var notes bytes.Buffer // why no shell opened, said in the UI
	q.Solver = debug.InResultOf(r.line, &notes, func(p *debug.Pause) {
		shell, shellErr = p.Shell(stdin, stdout, stderr, term)
		stop()
		p.Continue()
	})
	ran := map[string]bool{}
	var mu sync.Mutex
	_, err = build.Run(ctx, b, q, r.env.Paths, func(st *client.SolveStatus) {
		mu.Lock()
		defer mu.Unlock()
		for _, v := range st.Vertexes {
			if v.Completed != nil && !v.Cached && v.Error == "" && ranStep(v.Name) {
				ran[v.Digest.String()] = true
			}
		}
	})
	switch {
	case shellErr != nil:
		return nil, shellErr
	case shell == nil && err != nil:
		return nil, fmt.Errorf("building the steps up to line %d again: %w", r.line, err)
	case shell == nil:
		return nil, fmt.Errorf("no shell opened in the step on line %d: %s", r.line, strings.TrimPrefix(lastNote(notes.String()), "debug: "))
	}
	mu.Lock()
	n := len(ran)
	mu.Unlock()
	r.mu.Lock()
	r.said = fmt.Sprintf("x: the shell in line %d's result exited %d; %d step(s) ran again to reach it, the rest from the cache", r.line, shell.ExitCode, n)
	r.mu.Unlock()
	return shell, nil
}

// lastNote is the last line of what the session said ("" for nothing).
func lastNote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
