package main

import (
	"bufio"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptAt starts cmd, sends it SIGINT once a line of its stderr
// carries marker as a step's output (not in the RUN line that echoes the
// command) and returns its exit code.
func interruptAt(t *testing.T, cmd *exec.Cmd, marker string) int {
	t.Helper()
	return endAt(t, cmd, marker, "SIGINT", 50*time.Second, func() error { return cmd.Process.Signal(syscall.SIGINT) })
}

// endAt starts cmd, reads its stderr until a line carries marker as a
// step's output, calls end there (what names it in a failure) and
// returns cmd's exit code once it exits, within the deadline. The
// deadline only guards against a hang; nothing is measured.
func endAt(t *testing.T, cmd *exec.Cmd, marker, what string, within time.Duration, end func() error) int {
	t.Helper()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var seen strings.Builder
	for sc.Scan() {
		seen.WriteString(sc.Text() + "\n")
		if strings.Contains(sc.Text(), marker) && !strings.Contains(sc.Text(), "RUN") {
			break
		}
	}
	if err := end(); err != nil {
		t.Fatal(err)
	}
	go func() {
		for sc.Scan() {
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(within):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not stop after %s; output:\n%s", cmd.Args[1:], what, seen.String())
	}
	return cmd.ProcessState.ExitCode()
}
