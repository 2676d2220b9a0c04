package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"

	"github.com/buildscope/buildscope/model/dockerfile"
)

// Breaks is `buildscope build`'s --break (a flag value: LINE pauses
// before the step on that line, after:LINE after it) and --on-error (no
// pause at the lines: a process opens only in a step that fails).
type Breaks struct {
	// Before and After are the lines, sorted (Session.Breaks, After).
	Before, After []int
	// OnError: pause only on a failure, in the failed step's state.
	OnError bool
	raw     string
}

// String is the flag's value as given.
func (b *Breaks) String() string { return b.raw }

// Type names the flag's value in the help.
func (b *Breaks) Type() string { return "LINE[,LINE…]" }

// Set reads --break's value (see Session.Break).
func (b *Breaks) Set(v string) error {
	s := &Session{}
	if err := s.Break(v); err != nil {
		return err
	}
	b.raw, b.Before, b.After = v, s.Breaks, s.After
	return nil
}

// Any says a break or --on-error was asked for.
func (b *Breaks) Any() bool { return len(b.Before)+len(b.After) > 0 || b.OnError }

// Solver is how a build runs its solve (build.Solver's methods).
type Solver interface {
	Solve(ctx context.Context, c *client.Client, opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error)
	Note() string
}

// Plain is the solver of a build with these breaks and no UI (plain
// progress, no terminal for it): a Session that pauses at each line with
// the process on stdin/stdout/stderr, an interactive /bin/sh when stdin
// is a terminal, else /bin/sh reading stdin; with --on-error, only in a
// failed step. other, when not nil (debug's), with a UI (ui: the UI
// pauses, launch.BuildUI), or with no break: other.
//
// First, the break lines no step of the build can be on are dropped and
// said on stderr (see Unreached): a build with none left runs as it
// would without --break, not through the gateway.
func (b *Breaks) Plain(other Solver, ui bool, plan *dockerfile.Plan, target string, stdin *os.File, stdout, stderr io.Writer) Solver {
	if gone := b.dropUnreached(plan, target); len(gone) > 0 {
		fmt.Fprintf(stderr, "buildscope: no step of this build is on line %s of the Dockerfile (before its first FROM, or in a stage it does not build): not paused there\n", joinLines(gone))
	}
	if other != nil || ui || !b.Any() {
		return other
	}
	s, _ := NewSession("error", "", stdin, stdout, stderr) // "error" is valid: no error
	if !b.OnError {
		s.Breaks, s.After = b.Before, b.After
	}
	return s
}

// Pause is a break the build waits at while a UI opens a shell there
// (Session.OnPause): the build goes on once Continue is called, or its
// context ends.
type Pause struct {
	// Line is the Dockerfile line; After: after its step, not before.
	Line  int
	After bool
	// Step is the step's command ("" for a step that is not a RUN); Cwd
	// and User where and as whom it runs ("" is / and root).
	Step, Cwd, User string

	open func(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*Ran, string)
	done chan struct{}
	once sync.Once
}

// Where is the pause in a few words: "before line 15", "after line 18".
func (p *Pause) Where() string {
	if p.After {
		return fmt.Sprintf("after line %d", p.Line)
	}
	return fmt.Sprintf("before line %d", p.Line)
}

// Shell runs an interactive /bin/sh at the pause on the given streams
// (term, when not nil, is the terminal to put in raw mode and whose size
// the shell follows) and waits for it; it can run more than once.
func (p *Pause) Shell(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*Ran, error) {
	r, why := p.open(stdin, stdout, stderr, term)
	if r == nil {
		return nil, errors.New(orDefault(why, "the shell did not start"))
	}
	return r, nil
}

// Continue lets the build go on; safe to call more than once.
func (p *Pause) Continue() { p.once.Do(func() { close(p.done) }) }

// openAt opens the session's process at the break on line in a container
// made as req says (step: the step's command, nil when not a RUN; proc
// its env, user, cwd and security), and records what ran. With OnPause
// set, a UI opens it: the pause is handed over and the build waits until
// the UI continues it, the last shell run there recorded.
func (s *Session) openAt(ctx context.Context, gc gateway.Client, line int, after bool, req gateway.NewContainerRequest, step []string, proc gateway.StartRequest) {
	if s.OnPause == nil {
		r := s.runIn(ctx, gc, req, step, proc)
		if r != nil {
			r.After = after
		}
		s.paused(line, r)
		return
	}
	p := &Pause{Line: line, After: after, Step: shellLine(step), Cwd: proc.Cwd, User: proc.User, done: make(chan struct{})}
	var mu sync.Mutex // one shell at a time: they share the terminal
	var last *Ran
	p.open = func(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*Ran, string) {
		mu.Lock()
		defer mu.Unlock()
		var said lastLine // why no shell started, for the UI that takes the terminal back
		sh := &Session{Tty: term != nil, Stdin: stdin, Stdout: stdout, Stderr: io.MultiWriter(stderr, &said), terminal: term}
		fmt.Fprintf(stderr, "debug: paused %s (cwd %s, user %s); exit returns to the build UI.", p.Where(), orDefault(p.Cwd, "/"), orDefault(p.User, "root"))
		if p.Step != "" && p.After {
			fmt.Fprintf(stderr, " The step ran:\r\n  %s", p.Step)
		} else if p.Step != "" {
			fmt.Fprintf(stderr, " The step runs:\r\n  %s", p.Step)
		}
		fmt.Fprint(stderr, "\r\n")
		r := sh.runIn(ctx, gc, req, step, proc)
		if r != nil {
			r.After, last = after, r
		}
		return r, strings.TrimPrefix(said.line, "debug: ")
	}
	s.OnPause(p)
	select {
	case <-p.done:
	case <-ctx.Done():
	}
	mu.Lock()
	defer mu.Unlock()
	if last != nil {
		last.Line = line
		s.Paused = append(s.Paused, *last)
	}
}

// InResultOf is a session that pauses after the step on line (--break
// after:LINE) and hands the pause to onPause, which opens its shells
// and continues it; notes (no step on that line, why no shell can open)
// go to stderr. The build UI's shell in a completed step's result runs
// the build again, from the cache, through it.
func InResultOf(line int, stderr io.Writer, onPause func(*Pause)) *Session {
	return &Session{After: []int{line}, Stderr: stderr, OnPause: onPause}
}

// dropUnreached removes from Before and After the lines no step of the
// build of target can be on, and returns them: lines before the plan's
// first FROM, and lines of a stage target does not need (from its FROM
// to the next stage's). A line of a built stage stays, comments and
// blank lines included: which lines its steps span is known only from
// the frontend's source map, which the gateway path reads.
func (b *Breaks) dropUnreached(plan *dockerfile.Plan, target string) []int {
	if plan == nil || len(plan.Stages) == 0 {
		return nil
	}
	need, err := plan.Reachable(target)
	if err != nil {
		return nil
	}
	built := map[int]bool{}
	for _, i := range need {
		built[i] = true
	}
	reached := func(line int) bool {
		for i, st := range plan.Stages {
			if len(st.Instructions) == 0 || line < st.Instructions[0].Line {
				continue
			}
			if i+1 < len(plan.Stages) && len(plan.Stages[i+1].Instructions) > 0 && line >= plan.Stages[i+1].Instructions[0].Line {
				continue
			}
			return built[i]
		}
		return false // before the first FROM
	}
	var gone []int
	keep := func(lines []int) []int {
		var out []int
		for _, l := range lines {
			if reached(l) {
				out = append(out, l)
			} else {
				gone = append(gone, l)
			}
		}
		return out
	}
	b.Before, b.After = keep(b.Before), keep(b.After)
	return gone
}

// joinLines is lines as "3", "3 and 7" or "3, 7 and 9".
func joinLines(lines []int) string {
	s := make([]string, len(lines))
	for i, l := range lines {
		s[i] = fmt.Sprint(l)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}
