package builder

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/buildrun/testdeps"
)

// fakeDaemon starts a shell whose command line says --root root, which
// ignores SIGTERM and blocks reading stdin (no child processes), like a
// buildkitd that does not shut down.
func fakeDaemon(t *testing.T, root string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("sh", "-c", `trap "" TERM; while read x; do :; done`, "sh", "--root", root)
	in, w := io.Pipe()
	cmd.Stdin = in
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); w.Close(); <-done })
	// Start returns when execve has closed the exec pipe, before the
	// kernel has set the new program's arguments: /proc/PID/cmdline reads
	// empty for a moment, and the daemon would not yet look like one.
	for i := 0; !runsOnRoot(cmd.Process.Pid, root); i++ {
		if i == 500 {
			t.Fatalf("process %d never showed --root %s in its command line", cmd.Process.Pid, root)
		}
		time.Sleep(time.Millisecond)
	}
	return cmd
}

func waitState(t *testing.T, pid int, want byte) {
	t.Helper()
	for i := 0; ; i++ {
		if s, _ := procState(pid); s == want {
			return
		}
		if i == 500 {
			t.Fatalf("process %d never reached state %c", pid, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func testEmbedded(t *testing.T) *Embedded {
	dir := t.TempDir()
	e := &Embedded{Paths: state.Paths{State: dir, Runtime: filepath.Join(dir, "run")}, StopGrace: 100 * time.Millisecond}
	if err := os.MkdirAll(e.Root(), 0o700); err != nil {
		t.Fatal(err)
	}
	return e
}

// The daemon is found from the lock it holds on the root even when the
// pid file names some other process, and a pid file naming a process on
// another root is no daemon.
func TestFindDaemonByLockAndCommandLine(t *testing.T) {
	e := testEmbedded(t)
	other := fakeDaemon(t, "/some/other/root")
	os.WriteFile(e.pidPath(), []byte(strconv.Itoa(other.Process.Pid)), 0o600)
	if d := e.findDaemon(); d != nil {
		t.Fatalf("a process on another root taken for the daemon: pid %d", d.pid)
	}
	unlock, err := state.LockFile(filepath.Join(e.Root(), "buildkitd.lock"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if pid, ok := lockHolder(filepath.Join(e.Root(), "buildkitd.lock")); !ok || pid != os.Getpid() {
		t.Errorf("lock holder %d, %v; want this process %d", pid, ok, os.Getpid())
	}
	// this test process holds the lock but is not a buildkitd on the root
	if d := e.findDaemon(); d != nil {
		t.Errorf("the lock holder was taken for the daemon without checking its command line: %d", d.pid)
	}
	ours := fakeDaemon(t, e.Root())
	// neither the lock nor the pid file: a daemon whose buildscope was
	// killed before it wrote the file is found by its command line
	if d := e.findDaemon(); d == nil || d.pid != ours.Process.Pid {
		t.Errorf("a daemon on our root without its pid file was not found: %+v", d)
	}
	os.WriteFile(e.pidPath(), []byte(strconv.Itoa(ours.Process.Pid)), 0o600)
	if d := e.findDaemon(); d == nil || d.pid != ours.Process.Pid {
		t.Errorf("the daemon on our root was not found: %+v", d)
	}
}

// Stop ends a stopped daemon that ignores SIGTERM: SIGKILL after the grace.
func TestStopKillsStoppedDaemon(t *testing.T) {
	e := testEmbedded(t)
	d := fakeDaemon(t, e.Root())
	pid := d.Process.Pid
	os.WriteFile(e.pidPath(), []byte(strconv.Itoa(pid)), 0o600)
	if err := d.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitState(t, pid, 'T')
	if err := e.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s, ok := procState(pid); ok && s != 'Z' {
		t.Errorf("daemon %d in state %c after Stop", pid, s)
	}
	if _, err := os.Stat(e.pidPath()); !os.IsNotExist(err) {
		t.Errorf("pid file left: %v", err)
	}
}

// A daemon that holds the root and does not answer is reported, not
// replaced: Start names it and leaves its pid file.
func TestStartNamesStalledDaemon(t *testing.T) {
	testdeps.Root(t, "Start's preflight needs root")
	testdeps.Tool(t, "runc")
	e := testEmbedded(t)
	e.Binary = "/bin/false" // never started: the daemon below is found first
	d := fakeDaemon(t, e.Root())
	pid := d.Process.Pid
	os.WriteFile(e.pidPath(), []byte(strconv.Itoa(pid)), 0o600)
	d.Process.Signal(syscall.SIGSTOP)
	waitState(t, pid, 'T')
	err := e.Start(context.Background())
	want := "the embedded builder's buildkitd (pid " + strconv.Itoa(pid) + ") is stopped (SIGSTOP) and does not answer on " +
		e.Address() + " (its socket " + e.Paths.Socket() + " is gone): run `buildscope builder stop` to end it, then retry; its log is " + e.logPath()
	if err == nil || err.Error() != want {
		t.Errorf("Start with a stopped daemon:\n%v\nwant\n%s", err, want)
	}
	if b, _ := os.ReadFile(e.pidPath()); string(b) != strconv.Itoa(pid) {
		t.Errorf("pid file overwritten: %q", b)
	}
}

// The cause of a failed start is buildkitd's own error line, not the
// stack trace that follows it nor older runs' lines.
func TestLogCause(t *testing.T) {
	log := filepath.Join(t.TempDir(), "buildkitd.log")
	old := "time=\"x\" level=error msg=\"an earlier run\"\n"
	now := "time=\"y\" level=info msg=\"auto snapshotter\"\n" +
		"buildkitd: could not lock /s/root/buildkitd.lock, another instance running?\n" +
		"main.main.func3\n\t/go/src/main.go:399\ngithub.com/urfave/cli.HandleAction\n\t/x.go:1\n"
	os.WriteFile(log, []byte(old+now), 0o600)
	if got := logCause(log, int64(len(old))); got != "buildkitd: could not lock /s/root/buildkitd.lock, another instance running?" {
		t.Errorf("cause %q", got)
	}
	os.WriteFile(log, []byte(old+"time=\"z\" level=fatal msg=\"no runc\"\ntrailing\n"), 0o600)
	if got := logCause(log, int64(len(old))); !strings.Contains(got, `msg="no runc"`) {
		t.Errorf("cause %q", got)
	}
}

// A half-dead daemon (running, holding the root, its socket deleted) is
// given a moment to answer, then named with its pid and the cause; it is
// not replaced.
func TestStartNamesHalfDeadDaemon(t *testing.T) {
	testdeps.Root(t, "Start's preflight needs root")
	testdeps.Tool(t, "runc")
	e := testEmbedded(t)
	e.AnswerGrace = 300 * time.Millisecond
	e.Binary = "/bin/false"
	d := fakeDaemon(t, e.Root())
	pid := d.Process.Pid
	os.WriteFile(e.pidPath(), []byte(strconv.Itoa(pid)), 0o600)
	err := e.Start(context.Background())
	want := "the embedded builder's buildkitd (pid " + strconv.Itoa(pid) + ") is running and does not answer on " +
		e.Address() + " (its socket " + e.Paths.Socket() + " is gone): run `buildscope builder stop` to end it, then retry; its log is " + e.logPath()
	if err == nil || err.Error() != want {
		t.Errorf("Start with a half-dead daemon:\n%v\nwant\n%s", err, want)
	}
	if s, _ := procState(pid); s == 'Z' || s == 0 {
		t.Errorf("the daemon was ended by Start (state %q)", s)
	}
}

// Two embedded builders on one machine must not share buildkitd's default
// trace socket (/run/buildkit/otel-grpc.sock): one daemon's start replaced
// the socket the other bind-mounts into every RUN, and runc refused steps.
func TestEmbeddedDaemonsHaveTheirOwnTraceSocket(t *testing.T) {
	socketOf := func(e *Embedded) string {
		args := e.daemonArgs()
		for i, a := range args {
			if a == "--otel-socket-path" && i+1 < len(args) {
				return args[i+1]
			}
		}
		t.Fatalf("daemon args %q name no --otel-socket-path: buildkitd would use /run/buildkit/otel-grpc.sock, shared by every daemon", args)
		return ""
	}
	a := &Embedded{Paths: state.Paths{State: t.TempDir(), Runtime: t.TempDir()}}
	b := &Embedded{Paths: state.Paths{State: t.TempDir(), Runtime: t.TempDir()}}
	sa, sb := socketOf(a), socketOf(b)
	if sa == sb {
		t.Fatalf("two builders share the trace socket %s", sa)
	}
	if filepath.Dir(sa) != a.Paths.Runtime {
		t.Errorf("trace socket %s is not beside the builder's socket in %s", sa, a.Paths.Runtime)
	}
}
