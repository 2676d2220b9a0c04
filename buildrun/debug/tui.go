package debug

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/errdefs"
	"github.com/moby/buildkit/solver/pb"

	"github.com/buildscope/buildscope/buildrun/dockeredit"
	"github.com/buildscope/buildscope/model/compare"
)

// Holder runs a build (as build.Solver) through the gateway for the build
// UI: when a RUN step fails, it keeps the gateway session, and with it the
// failed step's mounts, until Release (or the build's context ends), so
// that the UI can open a shell in that step as often as the user asks,
// with no step run again. What it holds is handed to OnHold.
type Holder struct {
	// OnHold gets the failed step, once, as soon as the build failed (it
	// must not block). A failure with no state to open (not a RUN, mounts
	// not kept) is handed over too, with Why saying so, and not held.
	OnHold func(*Held)
	// Breaks, when set, pauses the build at its lines (Session.OnPause
	// gets each pause), before any step fails.
	Breaks *Session
	// Dockerfile is the path of the build's Dockerfile, where an edit of
	// the failed instruction is written back when asked.
	Dockerfile string

	once    sync.Once
	release chan struct{}
	mu      sync.Mutex
	ran     *Ran     // the last shell that ran, for the record's note
	edits   []string // the edited re-runs, for the record's note
	redact  func([]byte) []byte
}

// Redact takes the build's secrets out of what an edited re-run shows
// (its log); the build calls it before Solve.
func (h *Holder) Redact(f func([]byte) []byte) { h.redact = f }

// Held is a failed step a Holder keeps open.
type Held struct {
	// Digest is the failed vertex's, as the status stream names it
	// ("" when BuildKit did not say).
	Digest string
	// Step is the failed command as BuildKit ran it; Cwd and User where
	// and as whom ("" is / and root).
	Step      []string
	Cwd, User string
	// Why, when not "", says why no shell can open in this failure.
	Why string
	// Wrote is what the step changed in its root filesystem against its
	// input; WroteUnknown, when not "", says why that is unknown.
	Wrote        []compare.FileChange
	WroteUnknown string

	// Instruction is the failed instruction as written, to edit and
	// re-run (ReRun); nil when unknown, NoEdit saying why.
	Instruction *dockeredit.Instruction
	NoEdit      string

	open   func(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*Ran, string)
	rerun  *rerunner
	holder *Holder
}

// ReRun re-runs the held build with the failed instruction edited to
// text (ReRun: in a build of its own that exports nothing; only the
// edited step and those after it run), while the build is held; the
// record notes it.
func (h *Held) ReRun(text string) (*Outcome, error) {
	if h.rerun == nil || h.Instruction == nil {
		return nil, errors.New(orDefault(h.NoEdit, "the failed instruction is unknown"))
	}
	o, err := h.rerun.run(text)
	if err == nil {
		h.holder.noteEdit(o.Note())
	}
	return o, err
}

// WriteBack writes o's edit into the build's Dockerfile (Instruction's
// WriteBack: refused if the file changed since the build read it) and
// returns its path.
func (h *Held) WriteBack(o *Outcome) (string, error) {
	if h.holder.Dockerfile == "" || h.Instruction == nil {
		return "", errors.New("the build's Dockerfile is not a file buildscope knows: the edit is not written back")
	}
	if err := h.Instruction.WriteBack(h.holder.Dockerfile, o.Edited); err != nil {
		return "", err
	}
	h.holder.noteEdit(fmt.Sprintf("the edit of line %d was written back to the Dockerfile", o.Line))
	return h.holder.Dockerfile, nil
}

func (h *Holder) noteEdit(n string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.edits = append(h.edits, n)
}

// StepLine is the failed command as a line a shell reads back.
func (h *Held) StepLine() string { return shellLine(h.Step) }

// Shell runs an interactive /bin/sh in the failed step's state on the
// given streams (term, when not nil, is the terminal to put in raw mode
// and whose size the shell follows) and waits for it. It first prints on
// stderr where it is and the failed command, ready to re-run.
func (h *Held) Shell(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*Ran, error) {
	if h.open == nil {
		return nil, errors.New(orDefault(h.Why, "the failed step is not held"))
	}
	r, why := h.open(stdin, stdout, stderr, term)
	if r == nil {
		return nil, errors.New(orDefault(why, "the shell did not start"))
	}
	return r, nil
}

// NewHolder is a Holder that hands what it holds to onHold.
func NewHolder(onHold func(*Held)) *Holder {
	return &Holder{OnHold: onHold, release: make(chan struct{})}
}

// Release lets the held build end (as failed); safe to call more than once.
func (h *Holder) Release() { h.once.Do(func() { close(h.release) }) }

// Note says, for the record, the last shell run in the failed step and
// the edited re-runs ("": none).
func (h *Holder) Note() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := &Session{Ran: h.ran}
	if h.Breaks != nil {
		s.Paused = h.Breaks.Paused
	}
	var notes []string
	if n := s.Note(); n != "" {
		notes = append(notes, n)
	}
	return strings.Join(append(notes, h.edits...), "; ")
}

// Solve runs the build as Session.Solve does; a failed step is held (see
// Holder) before the error is returned.
func (h *Holder) Solve(ctx context.Context, c *client.Client, opt client.SolveOpt, ch chan *client.SolveStatus) (*client.SolveResponse, error) {
	frontend := opt.Frontend
	opt.Frontend = ""
	ch, before := teeStatus(ch)
	outer := ctx
	return c.Build(ctx, opt, "buildscope", func(ctx context.Context, gc gateway.Client) (*gateway.Result, error) {
		res, err := gc.Solve(ctx, gateway.SolveRequest{Frontend: frontend, FrontendOpt: maps.Clone(gc.BuildOpts().Opts)})
		if err == nil && h.Breaks != nil {
			err = h.Breaks.pauseAtBreaks(ctx, gc, res)
		}
		if err == nil {
			err = res.EachRef(func(ref gateway.Reference) error { return ref.Evaluate(ctx) })
		}
		if err != nil {
			h.hold(ctx, gc, err, newRerunner(outer, c, opt, frontend, before, h.redact, h.Dockerfile, err))
			return nil, err
		}
		return res, nil
	}, ch)
}

// hold hands the step that failed with err to OnHold (r re-runs it
// edited) and, when a shell can open in it, waits for Release or the
// end of ctx.
func (h *Holder) hold(ctx context.Context, gc gateway.Client, err error, r *rerunner) {
	held := &Held{Instruction: r.in, NoEdit: r.noEdit, rerun: r, holder: h}
	var ve *errdefs.VertexError
	if errors.As(err, &ve) && ve.Vertex != nil {
		held.Digest = ve.Digest
	}
	var se *errdefs.SolveError
	exec := (*pb.ExecOp)(nil)
	switch {
	case !errors.As(err, &se) || se.Op == nil:
		held.Why = "BuildKit did not say which step failed: no shell to open"
	case se.Op.GetExec() == nil:
		held.Why = "the failed step is not a RUN (a COPY, ADD or image pull): it has no process state to open a shell in"
	case len(se.MountIDs) < len(se.Op.GetExec().Mounts):
		held.Why = fmt.Sprintf("the builder kept %d of the failed step's %d mounts: no shell to open", len(se.MountIDs), len(se.Op.GetExec().Mounts))
	default:
		exec = se.Op.GetExec()
	}
	if exec == nil {
		held.WroteUnknown = "the builder kept no state of the failed step"
		if h.OnHold != nil {
			h.OnHold(held)
		}
		return
	}
	meta := exec.Meta
	held.Step, held.Cwd, held.User = meta.Args, meta.Cwd, meta.User
	if changes, werr := wrote(ctx, gc, se, exec); werr != nil {
		held.WroteUnknown = werr.Error()
	} else {
		for _, c := range changes {
			held.Wrote = append(held.Wrote, c.FileChange)
		}
	}
	req := gateway.NewContainerRequest{Mounts: failedMounts(se, exec), NetMode: exec.Network, Platform: se.Op.Platform}
	var shells sync.Mutex // one shell at a time: they share the terminal
	held.open = func(stdin io.Reader, stdout, stderr io.Writer, term *os.File) (*Ran, string) {
		shells.Lock()
		defer shells.Unlock()
		var said lastLine // why no shell started, for the UI that takes the terminal back
		s := &Session{Tty: term != nil, Stdin: stdin, Stdout: stdout, Stderr: io.MultiWriter(stderr, &said), terminal: term}
		fmt.Fprintf(stderr, "debug: in the failed step's state (cwd %s, user %s); exit returns to the build UI. The step ran:\r\n  %s\r\n",
			orDefault(meta.Cwd, "/"), orDefault(meta.User, "root"), shellLine(meta.Args))
		r := s.runIn(ctx, gc, req, meta.Args, stepProcess(exec))
		if r != nil {
			h.mu.Lock()
			h.ran = r
			h.mu.Unlock()
		}
		return r, strings.TrimPrefix(said.line, "debug: ")
	}
	if h.OnHold != nil {
		h.OnHold(held)
	}
	select {
	case <-h.release:
	case <-ctx.Done():
	}
}

// failedMounts are the failed exec step's mounts as the gateway kept them
// (se.MountIDs, one per mount of exec), for a new container.
func failedMounts(se *errdefs.SolveError, exec *pb.ExecOp) []gateway.Mount {
	var mounts []gateway.Mount
	for i, m := range exec.Mounts {
		mounts = append(mounts, gateway.Mount{
			Selector: m.Selector, Dest: m.Dest, ResultID: se.MountIDs[i], Readonly: m.Readonly,
			MountType: m.MountType, CacheOpt: m.CacheOpt, SecretOpt: m.SecretOpt, SSHOpt: m.SSHOpt,
		})
	}
	return mounts
}

// lastLine keeps the last line written to it (the notes before a shell
// starts are short: a bounded tail is kept).
type lastLine struct {
	buf  []byte
	line string
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	if len(l.buf) > 4096 {
		l.buf = l.buf[len(l.buf)-4096:]
	}
	if t := strings.TrimRight(string(l.buf), "\r\n"); t != "" {
		l.line = strings.TrimSpace(t[strings.LastIndexAny(t, "\r\n")+1:])
	}
	return len(p), nil
}
