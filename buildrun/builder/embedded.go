package builder

import (
	"context"
	"debug/buildinfo"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/state"
)

// Embedded manages the buildkitd that buildscope starts itself: one daemon
// per user, started on demand, reused by later runs, state under Paths.
type Embedded struct {
	Paths state.Paths
	// Binary is the buildkitd to run (Env.Buildkitd); empty means look
	// next to the buildscope executable, then in PATH.
	Binary string
	// NoCacheKeys and DaemonFlags are Env's: see there.
	NoCacheKeys bool
	DaemonFlags []string
	// StartTimeout bounds how long Start waits for the daemon to answer.
	StartTimeout time.Duration
	// StopGrace is how long Stop waits after SIGTERM before SIGKILL;
	// zero means 10s.
	StopGrace time.Duration
	// AnswerGrace is how long Start gives a running daemon that does not
	// answer before it reports it; zero means DefaultAnswerGrace.
	AnswerGrace time.Duration
}

// EmbeddedStatus is what `buildscope builder status` reports.
type EmbeddedStatus struct {
	Running bool   `json:"running"`
	PID     int    `json:"pid,omitempty"`
	Address string `json:"address"`
	Root    string `json:"root"`
	Log     string `json:"log"`
	Version string `json:"version,omitempty"`
	// CacheBytes is the size of the build cache, when running.
	CacheBytes int64 `json:"cache_bytes"`
	// Problem says why a daemon that runs (PID) does not answer, and what
	// to do.
	Problem string `json:"problem,omitempty"`
}

// Address is the daemon's BuildKit address.
func (e *Embedded) Address() string { return "unix://" + e.Paths.Socket() }

// Root is the daemon's root directory (its key store and cache-debug
// database among its state).
func (e *Embedded) Root() string    { return filepath.Join(e.Paths.BuilderDir(), "root") }
func (e *Embedded) logPath() string { return filepath.Join(e.Paths.BuilderDir(), "buildkitd.log") }
func (e *Embedded) pidPath() string { return filepath.Join(e.Paths.BuilderDir(), "buildkitd.pid") }
func (e *Embedded) cfgPath() string { return filepath.Join(e.Paths.BuilderDir(), "buildkitd.toml") }

// otelSocket is the daemon's own OpenTelemetry socket, beside its socket.
func (e *Embedded) otelSocket() string {
	return filepath.Join(filepath.Dir(e.Paths.Socket()), "buildkitd-otel.sock")
}

// Connect returns a client of the running daemon, starting it when it does
// not answer.
func (e *Embedded) Connect(ctx context.Context) (*client.Client, error) {
	if c, err := e.Dial(ctx); err == nil {
		return c, nil
	}
	if err := e.Start(ctx); err != nil {
		return nil, err
	}
	return e.Dial(ctx)
}

// Dial connects and checks that the daemon answers.
func (e *Embedded) Dial(ctx context.Context) (*client.Client, error) {
	if _, err := os.Stat(e.Paths.Socket()); err != nil {
		return nil, fmt.Errorf("embedded builder is not running (no socket at %s)", e.Paths.Socket())
	}
	c, err := client.New(ctx, e.Address())
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", e.Address(), err)
	}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := c.Info(pctx); err != nil {
		c.Close()
		return nil, fmt.Errorf("embedded builder at %s does not answer: %w", e.Address(), err)
	}
	return c, nil
}

// preflight says exactly what is missing before trying to start buildkitd.
func (e *Embedded) preflight() (string, error) {
	if os.Geteuid() != 0 {
		return "", errors.New("the embedded builder runs BuildKit's OCI worker, which needs root: run buildscope as root (sudo), or use a Docker engine (--builder docker) or a BuildKit address (--builder unix:///run/buildkit/buildkitd.sock or BUILDKIT_HOST)")
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return "", errors.New("the embedded builder needs runc, which is not in PATH: install it with `apt-get install runc`")
	}
	bin := e.Binary
	if bin == "" {
		bin = state.Program("buildkitd")
	}
	if bin == "" {
		return "", errors.New("buildkitd not found next to buildscope nor in PATH: run `make build` (builds bin/buildkitd from the module) or set BUILDSCOPE_BUILDKITD to its path")
	}
	return bin, nil
}

const buildkitdConfig = `# written by buildscope; regenerated on every start
[worker.oci]
  enabled = true
  gc = true
[worker.containerd]
  enabled = false
`

// Start starts the daemon unless it already answers, and waits until it
// does. Concurrent starts are serialised by a lock file.
func (e *Embedded) Start(ctx context.Context) error {
	bin, err := e.preflight()
	if err != nil {
		return err
	}
	if err := state.EnsurePrivateDir(e.Paths.BuilderDir()); err != nil {
		return err
	}
	if err := state.EnsurePrivateDir(e.Paths.Runtime); err != nil {
		return err
	}
	unlock, err := state.LockFile(filepath.Join(e.Paths.BuilderDir(), "start.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	c, dialErr := e.Dial(ctx)
	if dialErr == nil {
		c.Close()
		return nil
	}
	// A buildkitd that holds the root but does not answer (stopped, hung,
	// its socket deleted) is named, never replaced: a second daemon cannot
	// take the root's lock, and its socket and pid file are the old one's.
	if d := e.findDaemon(); d != nil {
		defer d.p.Release()
		return e.waitForDaemon(ctx, d, dialErr)
	}
	_ = os.Remove(e.Paths.Socket())
	// the mounts a daemon that died left in the root (no daemon holds it now)
	if _, err := unmountUnder(e.Root()); err != nil {
		return fmt.Errorf("before starting buildkitd: %w", err)
	}
	if err := state.WriteFileAtomic(e.cfgPath(), []byte(buildkitdConfig), 0o600); err != nil {
		return err
	}
	logf, err := os.OpenFile(e.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening builder log %s: %w", e.logPath(), err)
	}
	defer logf.Close()
	logStart, _ := logf.Seek(0, io.SeekEnd)
	args := e.daemonArgs()
	if !e.NoCacheKeys {
		e.boundCacheDebug()
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// the daemon's working directory is its own, not the directory the
	// command that started it ran in: git sources (BuildKit runs git in
	// its cwd) failed once that directory was removed
	cmd.Dir = e.Paths.BuilderDir()
	// its temp files in a directory of its own, emptied at each start:
	// BuildKit leaves a directory in $TMPDIR for every ssh mount it served
	tmp := filepath.Join(e.Paths.BuilderDir(), "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("emptying the builder's temp directory: %w", err)
	}
	if err := state.EnsurePrivateDir(tmp); err != nil {
		return err
	}
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := state.WriteFileAtomic(e.pidPath(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
		return err
	}
	timeout := e.StartTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			_ = os.Remove(e.pidPath())
			return fmt.Errorf("buildkitd exited while starting (%v): %s; its log is %s", err, logCause(e.logPath(), logStart), e.logPath())
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if c, err := e.Dial(ctx); err == nil {
			c.Close()
			return os.Chmod(e.Paths.Socket(), 0o600)
		}
	}
	return fmt.Errorf("buildkitd (pid %d) did not answer on %s within %s; see its log %s, and `buildscope builder stop` ends it", cmd.Process.Pid, e.Address(), timeout, e.logPath())
}

// DefaultAnswerGrace is how long a running daemon that does not answer is
// given before it is reported: it may still be starting (another
// buildscope started it a moment ago).
const DefaultAnswerGrace = 5 * time.Second

// waitForDaemon waits briefly for a daemon that runs but does not answer,
// and otherwise says which process it is, what is wrong and what to do.
func (e *Embedded) waitForDaemon(ctx context.Context, d *daemonProc, dialErr error) error {
	if !d.stopped() {
		grace := e.AnswerGrace
		if grace == 0 {
			grace = DefaultAnswerGrace
		}
		deadline := time.Now().Add(grace)
		for time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			c, err := e.Dial(ctx)
			if err == nil {
				c.Close()
				return nil
			}
			dialErr = err
		}
		if st, ok := procState(d.pid); ok {
			d.state = st
		}
	}
	return e.stalled(d, dialErr)
}

// stalled is the one-line error for a daemon that holds the root and does
// not answer.
func (e *Embedded) stalled(d *daemonProc, dialErr error) error {
	cause := "its socket " + e.Paths.Socket() + " is gone"
	if _, err := os.Stat(e.Paths.Socket()); err == nil && dialErr != nil {
		if inner := errors.Unwrap(dialErr); inner != nil {
			dialErr = inner
		}
		cause = ShortErr(dialErr)
	}
	return fmt.Errorf("the embedded builder's buildkitd (pid %d) is %s and does not answer on %s (%s): run `buildscope builder stop` to end it, then retry; its log is %s",
		d.pid, d.describeState(), e.Address(), cause, e.logPath())
}

// logCause picks the line that says why buildkitd exited from what it
// logged since offset: its own "buildkitd: …" error line (the stack trace
// after it is left out), else the last fatal or error entry, else the
// last line.
func logCause(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "no log"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size()-offset > 1<<20 {
		offset = fi.Size() - 1<<20 // its last MiB holds the end
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return "no log"
	}
	b, _ := io.ReadAll(f)
	var errLine, last string
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		switch {
		case l == "":
			continue
		case strings.HasPrefix(l, "buildkitd: "):
			return l
		case strings.Contains(l, "level=fatal") || strings.Contains(l, "level=error"):
			errLine = l
		}
		last = l
	}
	switch {
	case errLine != "":
		return errLine
	case last != "":
		return last
	}
	return "it logged nothing"
}

// Stop stops the daemon if it runs: SIGTERM (and SIGCONT, so a stopped
// daemon can act on it), then SIGKILL after StopGrace. Only a process that
// is a buildkitd on this builder's root is signalled; a pid file naming
// anything else is removed, its process left alone.
func (e *Embedded) Stop(ctx context.Context) error {
	grace := e.StopGrace
	if grace == 0 {
		grace = 10 * time.Second
	}
	d := e.findDaemon()
	if d == nil {
		_ = os.Remove(e.pidPath())
		_ = os.Remove(e.Paths.Socket())
		// a daemon that died (killed, OOM) left its mounts to no one
		if _, err := unmountUnder(e.Root()); err != nil {
			return fmt.Errorf("no buildkitd runs, but %w", err)
		}
		return nil
	}
	defer d.p.Release()
	if err := d.p.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stopping buildkitd (pid %d): %w", d.pid, err)
	}
	_ = d.p.Signal(syscall.SIGCONT)
	gone := func() bool {
		st, ok := procState(d.pid)
		return d.p.Signal(syscall.Signal(0)) != nil || !ok || st == 'Z'
	}
	killed := false
	for deadline := time.Now().Add(grace); !gone(); {
		if time.Now().After(deadline) {
			if killed {
				st, _ := procState(d.pid)
				return fmt.Errorf("buildkitd (pid %d) did not exit after SIGKILL (state %c): it is stuck in the kernel; see its log %s", d.pid, st, e.logPath())
			}
			if err := d.p.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
				return fmt.Errorf("killing buildkitd (pid %d): %w", d.pid, err)
			}
			killed, deadline = true, time.Now().Add(grace)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	// It has exited. Whoever adopted it reaps it in its own time (pid 1
	// of some containers a second or two later): a zombie holds no lock,
	// socket or mount, and its pid file goes now, so nothing waits for that.
	_ = os.Remove(e.pidPath())
	_ = os.Remove(e.Paths.Socket())
	if _, err := unmountUnder(e.Root()); err != nil {
		return fmt.Errorf("buildkitd stopped, but %w", err)
	}
	return nil
}

// Status reports whether the daemon runs and what it holds.
func (e *Embedded) Status(ctx context.Context) EmbeddedStatus {
	st := EmbeddedStatus{Address: e.Address(), Root: e.Root(), Log: e.logPath()}
	d := e.findDaemon()
	if d != nil {
		defer d.p.Release()
		st.PID = d.pid
	}
	c, err := e.Dial(ctx)
	if err != nil {
		if d != nil {
			st.Problem = e.stalled(d, err).Error()
		}
		return st
	}
	defer c.Close()
	st.Running = true
	if info, err := c.Info(ctx); err == nil {
		st.Version = info.BuildkitVersion.Version
	}
	if d != nil && (st.Version == "" || strings.HasPrefix(st.Version, "v0.0.0")) {
		// a buildkitd built from the module without -ldflags -X …/version.Version
		// says v0.0.0+unknown: its binary's build info names the module
		st.Version = moduleVersion(fmt.Sprintf("/proc/%d/exe", d.pid), st.Version)
	}
	if du, err := c.DiskUsage(ctx); err == nil {
		for _, r := range du {
			st.CacheBytes += r.Size
		}
	}
	return st
}

// daemonArgs are buildkitd's flags: its address, root, config and trace
// socket, all under buildscope's state, then DaemonFlags.
func (e *Embedded) daemonArgs() []string {
	args := []string{"--addr", e.Address(), "--root", e.Root(), "--config", e.cfgPath(),
		"--oci-worker=true", "--containerd-worker=false",
		// Each daemon its own trace socket: buildkitd's default,
		// /run/buildkit/otel-grpc.sock, is one path for every buildkitd on
		// the machine, so a second daemon's start or exit replaced the
		// socket the first bind-mounts into every RUN, and runc refused
		// the step ("possibly malicious path detected … (deleted)").
		"--otel-socket-path", e.otelSocket()}
	// BuildKit keeps the plain-text inputs of every cache key it computes
	// in its root, where `why` reads a build's keys (cachekeys.go).
	// NoCacheKeys (BUILDSCOPE_CACHE_KEYS=0) turns it off.
	if !e.NoCacheKeys {
		args = append(args, "--save-cache-debug")
	}
	args = append(args, e.DaemonFlags...)
	return args
}

// moduleVersion is the version of BuildKit's module that the Go binary
// file was built from, or unknown when its build info does not say.
func moduleVersion(file, unknown string) string {
	bi, err := buildinfo.ReadFile(file)
	if err != nil {
		return unknown
	}
	if bi.Main.Path == "github.com/moby/buildkit" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	for _, d := range bi.Deps {
		if d.Path == "github.com/moby/buildkit" {
			if d.Replace != nil && d.Replace.Version != "" {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return unknown
}
