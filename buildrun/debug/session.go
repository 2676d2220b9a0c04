// Package debug runs a build through BuildKit's gateway so that, when a
// RUN step fails, a process can be started in that step's state: its
// root filesystem as the command left it, its mounts (cache, secret, SSH,
// bind, tmpfs), its environment, working directory and user. BuildKit
// keeps the failed step's mounts only while the gateway session that ran
// it lives, so the process runs inside the build's callback, before the
// build returns its error.
package debug

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	gwpb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Session says what to run in a failed step, and records what it ran.
type Session struct {
	// Args is the process to start; empty means an interactive /bin/sh.
	Args []string
	// Tty gives the process a terminal (an interactive shell).
	Tty bool
	// Always opens the process in the build's result too when the build
	// succeeds (--on always), with the image's env, working dir and user.
	Always bool
	// Stdin, Stdout and Stderr are the process's; Stderr also gets the
	// one-line notes (the failed command, why no shell could start).
	Stdin          io.Reader
	Stdout, Stderr io.Writer

	// Breaks are the Dockerfile lines to pause before (--break), sorted:
	// the process opens in the input state of the step on each.
	Breaks []int
	// After are the Dockerfile lines to pause after (--break after:LINE),
	// sorted: the process opens in the result of the step on each.
	After []int

	// EditWith, when not "", is the command line that edits the failed
	// instruction (--edit: $EDITOR; --edit-with CMD) before a re-run of
	// the build with it edited; WriteBack writes the edit to the
	// Dockerfile at path Dockerfile. Edited is the re-run's outcome, and
	// WroteBack says the edit was written.
	EditWith   string
	WriteBack  bool
	Dockerfile string
	Edited     *Outcome
	WroteBack  bool

	// Ran is set once a process ran in a failed step: what and how it ended.
	Ran *Ran
	// Paused is what ran at each break, in order.
	Paused []Ran
	// OnPause, when set, gets each break instead of the process running
	// there: a UI opens its shells and continues it (Pause).
	OnPause func(*Pause)

	redact   func([]byte) []byte // the build's secrets out of an edited re-run's log
	terminal *os.File            // the user's terminal, given to an interactive shell
	progress *heldWriter         // the plain progress display's writer, held while a process runs
	noExec   bool                // the builder cannot start a process in a step
}

// noStateLine is what debug says when a step failed and the builder named
// it but did not hand over its state (the Docker engine's BuildKit of
// Docker 20.10 does not).
const noStateLine = "debug: this builder named the failed step but kept none of its state (the Docker engine's BuildKit does not): no shell to open; use --builder embedded to debug"

// noExecLine is what debug says on a builder whose gateway cannot start a
// process in a build step (the Docker engine's BuildKit before it could).
const noExecLine = "debug: this builder's BuildKit cannot open a process in a build step (its gateway lacks gateway.exec, as older Docker engines' does): the build runs without it; use --builder embedded to debug"

// Ran is what a debug session ran in a failed step.
type Ran struct {
	// Step is the failed command, as BuildKit ran it; nil for the built
	// image (--on always).
	Step []string
	// Args is the process the session started there.
	Args []string
	// ExitCode is the process's exit status.
	ExitCode int
	// After: the break was after the step on Line (in its result), not
	// before it.
	After bool
	// Line is the Dockerfile line of the break it ran at; 0 when it ran
	// in a failed step or the built image.
	Line int
}

// Solve runs the build described by opt (its Frontend and FrontendAttrs
// as client.Solve takes them) through the gateway: the frontend's result
// is evaluated inside the callback, and a failed exec step gets the
// session's process before the error is returned. The result, when the
// build succeeds, is exported as opt says.
func (s *Session) Solve(ctx context.Context, c *client.Client, opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error) {
	frontend := opt.Frontend
	opt.Frontend = ""
	ch, before := teeStatus(ch)
	return c.Build(ctx, opt, "buildscope", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
		if caps := gc.BuildOpts().Caps; caps.Supports(gwpb.CapGatewayExec) != nil {
			s.noExec = true
			fmt.Fprintln(s.Stderr, noExecLine)
		}
		req := gateway.SolveRequest{Frontend: frontend, FrontendOpt: maps.Clone(gc.BuildOpts().Opts)}
		res, err := gc.Solve(ctx, req)
		if err == nil && len(s.Breaks)+len(s.After) > 0 && !s.noExec {
			err = s.pauseAtBreaks(ctx, gc, res)
		}
		if err == nil {
			err = res.EachRef(func(ref gateway.Reference) error { return ref.Evaluate(ctx) })
		}
		if err != nil {
			s.inFailedStep(ctx, gc, err)
			if s.EditWith != "" {
				s.editStep(newRerunner(ctx, c, opt, frontend, before, s.redact, s.Dockerfile, err))
			}
			return nil, err
		}
		if s.Always && !s.noExec {
			s.inResult(ctx, gc, res)
		}
		return res, nil
	}, ch)
}

// inResult starts the session's process in a successful build's result:
// its root filesystem, with the image config's env, working directory
// and user. A multi-platform result has no one image to open.
func (s *Session) inResult(ctx context.Context, gc gateway.Client, res *gateway.Result) {
	if res.Ref == nil {
		fmt.Fprintln(s.Stderr, "debug: the build made one image per platform: --on always opens a single-platform build's image (give one --platform)")
		return
	}
	var img ocispecs.Image
	if cfg, ok := res.Metadata[exptypes.ExporterImageConfigKey]; ok {
		if err := json.Unmarshal(cfg, &img); err != nil {
			fmt.Fprintf(s.Stderr, "debug: reading the image's config: %v\n", err)
			return
		}
	}
	c := img.Config
	fmt.Fprintf(s.Stderr, "debug: in the built image (cwd %s, user %s)\n", orDefault(c.WorkingDir, "/"), orDefault(c.User, "root"))
	if r := s.runIn(ctx, gc, gateway.NewContainerRequest{Mounts: []gateway.Mount{{Dest: "/", Ref: res.Ref, MountType: pb.MountType_BIND}}},
		nil, gateway.StartRequest{Env: c.Env, User: c.User, Cwd: c.WorkingDir}); r != nil {
		s.Ran = r
	}
}

// Status is how `buildscope debug` ends after the build ended with err:
// when a process ran and the build failed or the process did, own is
// true and debug exits with the process's code, saying err (or, for a
// build that succeeded, what ran); otherwise it ends as the build did.
func (s *Session) Status(err error) (code int, _ error, own bool) {
	if s.Edited != nil { // the edited re-run's result is debug's: CI reads it
		return s.Edited.status(), err, true
	}
	if s.Ran == nil || (err == nil && s.Ran.ExitCode == 0) {
		return 0, err, false
	}
	if err == nil {
		err = errors.New(s.Note())
	}
	return s.Ran.ExitCode, err, true
}

// Note is the line the build's record keeps about the session: empty when
// no process ran.
func (s *Session) Note() string {
	var notes []string
	for _, p := range s.Paused {
		where := "before"
		if p.After {
			where = "after"
		}
		notes = append(notes, fmt.Sprintf("a debug session ran `%s` %s line %d (exit %d)", shellLine(p.Args), where, p.Line, p.ExitCode))
	}
	switch {
	case s.Ran == nil:
	case len(s.Ran.Step) == 0: // --on always, in the built image
		notes = append(notes, fmt.Sprintf("a debug session ran `%s` in the built image (exit %d)", shellLine(s.Ran.Args), s.Ran.ExitCode))
	default:
		notes = append(notes, fmt.Sprintf("a debug session ran `%s` in the failed step `%s` (exit %d)",
			shellLine(s.Ran.Args), shellLine(s.Ran.Step), s.Ran.ExitCode))
	}
	if e := s.editNote(); e != "" {
		notes = append(notes, e)
	}
	return strings.Join(notes, "; ")
}

// inFailedStep starts the session's process in the state of the step
// that failed with err, when BuildKit says which exec step it was, and
// waits for it; otherwise it says in one line why no process can start.
func (s *Session) inFailedStep(ctx context.Context, gc gateway.Client, err error) {
	if s.noExec {
		return
	}
	var se *errdefs.SolveError
	var ve *errdefs.VertexError
	switch {
	case errors.As(err, &se) && se.Op != nil:
	case errors.As(err, &ve):
		fmt.Fprintln(s.Stderr, noStateLine)
		return
	default: // a frontend's error carries none either: which it was is unknown
		fmt.Fprintln(s.Stderr, "debug: BuildKit said nothing of a failed step (the frontend failed before any step ran, or the builder keeps no step's state, as the Docker engine's BuildKit): no shell to open; --builder embedded keeps it")
		return
	}
	exec := se.Op.GetExec()
	if exec == nil {
		fmt.Fprintln(s.Stderr, "debug: the failed step is not a RUN (a COPY, ADD or image pull): it has no process state to open a shell in")
		return
	}
	if len(se.MountIDs) < len(exec.Mounts) {
		fmt.Fprintf(s.Stderr, "debug: the builder kept %d of the failed step's %d mounts: no shell to open\n", len(se.MountIDs), len(exec.Mounts))
		return
	}
	var mounts []gateway.Mount
	for i, m := range exec.Mounts {
		mounts = append(mounts, gateway.Mount{
			Selector: m.Selector, Dest: m.Dest, ResultID: se.MountIDs[i], Readonly: m.Readonly,
			MountType: m.MountType, CacheOpt: m.CacheOpt, SecretOpt: m.SecretOpt, SSHOpt: m.SSHOpt,
		})
	}
	if changes, werr := wrote(ctx, gc, se, exec); werr != nil {
		fmt.Fprintf(s.Stderr, "debug: what the step wrote is unknown: %v\n", werr)
	} else {
		writeWrote(s.Stderr, changes)
	}
	meta := exec.Meta
	fmt.Fprintf(s.Stderr, "debug: in the failed step's state (cwd %s, user %s); the step ran:\n  %s\n", orDefault(meta.Cwd, "/"), orDefault(meta.User, "root"), shellLine(meta.Args))
	if r := s.runIn(ctx, gc, gateway.NewContainerRequest{Mounts: mounts, NetMode: exec.Network, Platform: se.Op.Platform}, meta.Args,
		stepProcess(exec)); r != nil {
		s.Ran = r
	}
}

// runIn starts the session's process (an interactive /bin/sh without
// Args) in a container made as req says, with the env, user, cwd and
// security of proc, gives it the terminal when it has one, and says what
// ran (step: the command whose state it is, for the record); nil, said
// on Stderr, when it could not start.
func (s *Session) runIn(ctx context.Context, gc gateway.Client, req gateway.NewContainerRequest, step []string, proc gateway.StartRequest) *Ran {
	ctr, err := gc.NewContainer(ctx, req)
	if err != nil {
		fmt.Fprintf(s.Stderr, "debug: starting a container: %v\n", err)
		return nil
	}
	defer ctr.Release(context.WithoutCancel(ctx))
	proc.Args = s.Args
	if len(proc.Args) == 0 {
		proc.Args = []string{"/bin/sh"}
	}
	proc.Tty, proc.Stdin = s.Tty, readCloser(s.Stdin)
	proc.Stdout, proc.Stderr = nopWriteCloser{s.Stdout}, nopWriteCloser{s.Stderr}
	defer s.progress.hold()()
	p, err := ctr.Start(ctx, proc)
	if err != nil {
		fmt.Fprintf(s.Stderr, "debug: starting %s: %v\n", shellLine(proc.Args), err)
		return nil
	}
	restore := s.onTerminal(ctx, p)
	werr := p.Wait()
	restore()
	return &Ran{Step: step, Args: proc.Args, ExitCode: exitCode(werr)}
}

// exitCode is a process's exit status from the error Wait returns.
func exitCode(err error) int {
	var ee *gwpb.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return int(ee.ExitCode)
	default:
		return 255
	}
}

// shellLine is args as one line a shell would read back.
func shellLine(args []string) string {
	var out []string
	for _, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\n'\"\\$`;&|<>()*?[]#~") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// readCloser is r for a process's stdin, never closed by the gateway (it
// may be the user's terminal); nil stays nil.
func readCloser(r io.Reader) io.ReadCloser {
	if r == nil {
		return nil
	}
	return io.NopCloser(r)
}

// nopWriteCloser is a writer the gateway may close without closing ours.
type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// Exit is Status as the error `buildscope debug` returns: when the
// session owns the exit, an error whose ExitStatus is the process's
// (main exits with it, saying the error); else err as it is.
func (s *Session) Exit(err error) error {
	code, err, own := s.Status(err)
	if !own {
		return err
	}
	return &ExitError{Code: code, Err: err}
}

// ExitError is an error that carries the exit status debug ends with.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }

// ExitStatus is the status debug exits with.
func (e *ExitError) ExitStatus() int { return e.Code }

// Unwrap is the build's error (or the note of what ran).
func (e *ExitError) Unwrap() error { return e.Err }

// Break sets the session's breaks from --break's value ("" for none):
// LINE pauses before the step on that line, after:LINE after it.
func (s *Session) Break(lines string) error {
	if lines == "" {
		return nil
	}
	var before, after []string
	for f := range strings.SplitSeq(lines, ",") {
		if l, ok := strings.CutPrefix(strings.TrimSpace(f), "after:"); ok {
			after = append(after, l)
		} else {
			before = append(before, f)
		}
	}
	var err error
	if len(before) > 0 {
		if s.Breaks, err = ParseBreaks(strings.Join(before, ",")); err != nil {
			return fmt.Errorf("--break %q: say Dockerfile line numbers, comma separated, after:LINE to pause after a step (--break 7,after:12)", lines)
		}
	}
	if len(after) > 0 {
		if s.After, err = ParseBreaks(strings.Join(after, ",")); err != nil {
			return fmt.Errorf("--break %q: say Dockerfile line numbers, comma separated, after:LINE to pause after a step (--break 7,after:12)", lines)
		}
	}
	return nil
}

// stepProcess is the process of an exec step as BuildKit ran it: its env,
// user, working directory and security mode, its mount stubs removed
// after; the session gives the command.
func stepProcess(exec *pb.ExecOp) gateway.StartRequest {
	meta := exec.Meta
	return gateway.StartRequest{Env: meta.Env, User: meta.User, Cwd: meta.Cwd, SecurityMode: exec.Security, RemoveMountStubsRecursive: meta.RemoveMountStubsRecursive}
}
