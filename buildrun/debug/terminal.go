package debug

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"golang.org/x/term"
)

// NewSession is the session `buildscope debug` runs: on is when ("error":
// in a failed RUN step; "always": also in the built image); invoke, when
// not "", runs non-interactively as `/bin/sh -c invoke`; else, when stdin
// is a terminal, an interactive /bin/sh gets it (raw, its size followed).
func NewSession(on, invoke string, stdin *os.File, stdout, stderr io.Writer) (*Session, error) {
	if on != "error" && on != "always" {
		return nil, fmt.Errorf("--on %q: say error (a shell in a failed RUN step) or always (also in the built image)", on)
	}
	s := &Session{Stdin: stdin, Stdout: stdout, Stderr: stderr, Always: on == "always"}
	if invoke != "" {
		s.Args = []string{"/bin/sh", "-c", invoke}
	} else if term.IsTerminal(int(stdin.Fd())) {
		s.Tty, s.terminal = true, stdin
	}
	return s, nil
}

// onTerminal gives the user's terminal to proc while it runs: raw mode,
// and its size now and on every SIGWINCH. The returned func restores it.
func (s *Session) onTerminal(ctx context.Context, proc gateway.ContainerProcess) func() {
	if s.terminal == nil {
		return func() {}
	}
	fd := int(s.terminal.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return func() {}
	}
	resize := func() {
		if w, h, err := term.GetSize(fd); err == nil {
			_ = proc.Resize(ctx, gateway.WinSize{Cols: uint32(w), Rows: uint32(h)})
		}
	}
	resize()
	winch := make(chan os.Signal, 1)
	signal.Notify(winch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-winch:
				resize()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(winch)
		close(done)
		_ = term.Restore(fd, old)
	}
}
