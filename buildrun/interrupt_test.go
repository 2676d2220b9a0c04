package buildrun

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets this test binary play a command stuck reading a FIFO.
func TestMain(m *testing.M) {
	if fifo := os.Getenv("BUILDSCOPE_TEST_STUCK_ON"); fifo != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		ExitWhenStuck(ctx, 100*time.Millisecond, os.Stderr, os.Exit)
		_, err := os.ReadFile(fifo) // blocks: the writer never writes nor closes
		os.Stderr.WriteString("the read ended: " + errString(err) + "\n")
		os.Exit(3)
	}
	os.Exit(m.Run())
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// A process blocked reading a FIFO, where no context reaches, still ends
// on SIGINT: exit 130 and one line. The deadlines only guard against a
// hang.
func TestExitWhenStuck(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "Dockerfile")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "BUILDSCOPE_TEST_STUCK_ON="+fifo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// Opening the write end without blocking succeeds once the reader has
	// it open; holding it open leaves the reader blocked in read.
	var w int
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		fd, err := syscall.Open(fifo, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			w = fd
			break
		}
		if !errors.Is(err, syscall.ENXIO) || time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the reader never opened the FIFO: %v", err)
		}
	}
	defer syscall.Close(w)
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatalf("SIGINT did not end a process stuck on a FIFO:\n%s", stderr.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 || strings.Count(stderr.String(), "\n") != 1 ||
		!strings.HasPrefix(stderr.String(), "buildscope: interrupted; a call that cannot be canceled was still waiting") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
}

// The library ends nothing itself: it calls the exit it is given, once,
// with 130, grace after ctx is done.
func TestExitWhenStuckCallsExit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	codes := make(chan int, 2)
	var stderr bytes.Buffer
	ExitWhenStuck(ctx, 10*time.Millisecond, &stderr, func(code int) { codes <- code })
	cancel()
	select {
	case code := <-codes:
		if code != 130 {
			t.Errorf("exit(%d), want 130", code)
		}
	case <-time.After(time.Minute):
		t.Fatal("exit was not called")
	}
	if !strings.HasPrefix(stderr.String(), "buildscope: interrupted;") {
		t.Errorf("stderr: %q", stderr.String())
	}
}
