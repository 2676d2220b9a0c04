package main

import (
	"bufio"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interruptAt starts cmd, reads its stderr until a line carries marker as
// a step's output (not in the RUN line that echoes the command), sends it
// SIGINT there and returns its exit code. The deadline only guards
// against a hang; nothing is measured.
func interruptAt(t *testing.T, cmd *exec.Cmd, marker string) int {
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
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
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
	case <-time.After(50 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("%v did not stop after SIGINT; output:\n%s", cmd.Args[1:], seen.String())
	}
	return cmd.ProcessState.ExitCode()
}
