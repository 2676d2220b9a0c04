package main

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
)

// debug on a tcp:// builder with mutual TLS: the invoked command runs in
// the failed step's state (what it wrote, its WORKDIR), and --break
// pauses there too, the gateway session running over the TLS connection.
func TestDebugOnTCPBuilderWithTLS(t *testing.T) {
	e, addr, tls := startTLSBuilder(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /w\nRUN echo before-"+nonce+" > /w/b\n"+
		"RUN sh -c 'echo partial-"+nonce+" > /w/p && exit 3'\n")
	args := append([]string{"debug", "--builder", addr}, tls...)
	r := e.run(t, nil, append(args, "--break", "4", "--invoke", "echo ==; pwd; cat /w/b /w/p 2>&1", dir)...)
	if r.code != 0 {
		t.Fatalf("debug over mTLS exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	at := strings.Split(r.stdout, "==\n")
	if len(at) != 3 || !strings.HasPrefix(at[1], "/w\nbefore-"+nonce+"\ncat: can't open '/w/p'") ||
		at[2] != "/w\nbefore-"+nonce+"\npartial-"+nonce+"\n" {
		t.Errorf("want the process before line 4 (no /w/p yet) and in the failed step (/w/p written), stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "exit code: 3") || !strings.Contains(r.stderr, "    | partial-"+nonce+"\n") {
		t.Errorf("stderr does not say the step's exit code 3 and what it wrote:\n%s", lastLines(r.stderr, 20))
	}
}

// On the Docker engine's BuildKit, debug either opens the process in the
// failed step, or says in one line that it cannot, naming --builder
// embedded as the way out; the build's failure is said as on any builder.
func TestDebugOnDockerEngine(t *testing.T) {
	requireDocker(t)
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN sh -c 'echo partial-"+nonce+" > /p && exit 3'\n")
	r := e.run(t, nil, "debug", "--builder", "docker", "--invoke", "cat /p", dir)
	if strings.Contains(r.stdout, "partial-"+nonce) {
		if r.code != 0 {
			t.Errorf("the engine ran the process but debug exited %d:\n%s", r.code, lastLines(r.stderr, 10))
		}
		return
	}
	var said []string
	for l := range strings.SplitSeq(r.stderr, "\n") {
		if strings.HasPrefix(l, "debug: ") {
			said = append(said, l)
		}
	}
	if r.code != 1 || len(said) != 1 || !strings.Contains(said[0], "--builder embedded") || !strings.Contains(r.stderr, "exit code: 3") {
		t.Errorf("on the engine without a process: exit %d, debug lines %q (want one naming --builder embedded), stderr:\n%s", r.code, said, lastLines(r.stderr, 10))
	}
}
