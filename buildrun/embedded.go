package buildrun

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/buildkit/client"
)

// Embedded manages the buildkitd that buildscope starts itself: one daemon
// per user, started on demand, reused by later runs, state under Paths.
type Embedded struct {
	Paths Paths
	// Binary is the buildkitd to run; empty means look next to the
	// buildscope executable, then in PATH.
	Binary string
	// StartTimeout bounds how long Start waits for the daemon to answer.
	StartTimeout time.Duration
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
}

// Address is the daemon's BuildKit address.
func (e *Embedded) Address() string { return "unix://" + e.Paths.Socket() }

func (e *Embedded) root() string    { return filepath.Join(e.Paths.BuilderDir(), "root") }
func (e *Embedded) logPath() string { return filepath.Join(e.Paths.BuilderDir(), "buildkitd.log") }
func (e *Embedded) pidPath() string { return filepath.Join(e.Paths.BuilderDir(), "buildkitd.pid") }
func (e *Embedded) cfgPath() string { return filepath.Join(e.Paths.BuilderDir(), "buildkitd.toml") }

// Connect returns a client of the running daemon, starting it when it does
// not answer.
func (e *Embedded) Connect(ctx context.Context) (*client.Client, error) {
	if c, err := e.dial(ctx); err == nil {
		return c, nil
	}
	if err := e.Start(ctx); err != nil {
		return nil, err
	}
	return e.dial(ctx)
}

// dial connects and checks that the daemon answers.
func (e *Embedded) dial(ctx context.Context) (*client.Client, error) {
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
		bin = os.Getenv("BUILDSCOPE_BUILDKITD")
	}
	if bin == "" {
		if self, err := os.Executable(); err == nil {
			cand := filepath.Join(filepath.Dir(self), "buildkitd")
			if _, err := os.Stat(cand); err == nil {
				bin = cand
			}
		}
	}
	if bin == "" {
		p, err := exec.LookPath("buildkitd")
		if err != nil {
			return "", errors.New("buildkitd not found next to buildscope nor in PATH: run `make build` (builds bin/buildkitd from the module) or set BUILDSCOPE_BUILDKITD to its path")
		}
		bin = p
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
	if err := ensurePrivateDir(e.Paths.BuilderDir()); err != nil {
		return err
	}
	if err := ensurePrivateDir(e.Paths.Runtime); err != nil {
		return err
	}
	unlock, err := lockFile(filepath.Join(e.Paths.BuilderDir(), "start.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if c, err := e.dial(ctx); err == nil {
		c.Close()
		return nil
	}
	_ = os.Remove(e.Paths.Socket())
	if err := writeFileAtomic(e.cfgPath(), []byte(buildkitdConfig), 0o600); err != nil {
		return err
	}
	logf, err := os.OpenFile(e.logPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening builder log %s: %w", e.logPath(), err)
	}
	defer logf.Close()
	args := []string{"--addr", e.Address(), "--root", e.root(), "--config", e.cfgPath(),
		"--oci-worker=true", "--containerd-worker=false"}
	// BUILDSCOPE_BUILDKITD_FLAGS adds buildkitd flags, e.g. --save-cache-debug
	// to keep BuildKit's own cache-key inputs for comparison with `why`.
	args = append(args, strings.Fields(os.Getenv("BUILDSCOPE_BUILDKITD_FLAGS"))...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := writeFileAtomic(e.pidPath(), []byte(strconv.Itoa(cmd.Process.Pid)), 0o600); err != nil {
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
			return fmt.Errorf("buildkitd exited while starting (%v); its log %s ends with:\n%s", err, e.logPath(), tail(e.logPath(), 10))
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if c, err := e.dial(ctx); err == nil {
			c.Close()
			return os.Chmod(e.Paths.Socket(), 0o600)
		}
	}
	return fmt.Errorf("buildkitd did not answer on %s within %s; see its log %s", e.Address(), timeout, e.logPath())
}

// Stop stops the daemon if it runs.
func (e *Embedded) Stop(ctx context.Context) error {
	pid, err := e.pid()
	if err != nil {
		return nil // not running: nothing to stop
	}
	p, _ := os.FindProcess(pid)
	if err := p.Signal(syscall.SIGTERM); err != nil {
		return nil
	}
	for i := 0; i < 100; i++ {
		if p.Signal(syscall.Signal(0)) != nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	if p.Signal(syscall.Signal(0)) == nil {
		_ = p.Signal(syscall.SIGKILL)
	}
	_ = os.Remove(e.pidPath())
	_ = os.Remove(e.Paths.Socket())
	return nil
}

// pid returns the daemon's pid if its process is alive.
func (e *Embedded) pid() (int, error) {
	b, err := os.ReadFile(e.pidPath())
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", e.pidPath(), err)
	}
	p, _ := os.FindProcess(pid)
	if err := p.Signal(syscall.Signal(0)); err != nil {
		return 0, err
	}
	return pid, nil
}

// Status reports whether the daemon runs and what it holds.
func (e *Embedded) Status(ctx context.Context) EmbeddedStatus {
	st := EmbeddedStatus{Address: e.Address(), Root: e.root(), Log: e.logPath()}
	c, err := e.dial(ctx)
	if err != nil {
		return st
	}
	defer c.Close()
	st.Running = true
	st.PID, _ = e.pid()
	if info, err := c.Info(ctx); err == nil {
		st.Version = info.BuildkitVersion.Version
	}
	if du, err := c.DiskUsage(ctx); err == nil {
		for _, r := range du {
			st.CacheBytes += r.Size
		}
	}
	return st
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
