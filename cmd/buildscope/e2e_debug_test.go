package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// debug --invoke runs its command in the failed RUN step's state: what the
// step wrote before it failed (also listed against the step's input), its
// WORKDIR, USER and ENV. debug exits
// with the command's status; the build's own failure (exit code 3) is
// still said, and its record is a failed build that names the session.
func TestDebugInvokeRunsInTheFailedStep(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nENV GREETING=hello-"+nonce+"\nWORKDIR /work\nUSER 65534\n"+
		"RUN sh -c 'mkdir -p /tmp/out && echo partial > /tmp/out/p && exit 3'\n")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "cat /tmp/out/p; pwd; id -u; env", dir)
	if r.code != 0 {
		t.Fatalf("debug exited %d, want the invoked command's 0:\n%s", r.code, lastLines(r.stderr, 15))
	}
	for _, want := range []string{"partial\n", "/work\n", "65534\n", "GREETING=hello-" + nonce} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the invoked command's output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "exit code: 3") || !strings.Contains(r.stderr, "echo partial > /tmp/out/p") {
		t.Errorf("stderr does not say the step and its exit code 3:\n%s", lastLines(r.stderr, 15))
	}
	// what the step wrote before it failed, against its input
	if !strings.Contains(r.stderr, "  A /tmp/out/p  8B\n") || strings.Contains(r.stderr, "A /proc") {
		t.Errorf("stderr does not list the file the step wrote (A /tmp/out/p 8B), or lists the runtime's stubs:\n%s", lastLines(r.stderr, 20))
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusError || !strings.Contains(b.Debug, "exit 0") || !strings.Contains(b.Debug, "cat /tmp/out/p") {
		t.Errorf("record: status %q, debug %q; want a failed build naming the session", b.Status, b.Debug)
	}

	// the invoked command's status is debug's, for CI
	if r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "exit 7", dir); r.code != 7 {
		t.Errorf("debug --invoke 'exit 7' exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
}

// A failed step that is not a RUN has no process state: one line says
// so, and debug exits as the failed build does. A build that succeeds
// opens nothing.
func TestDebugSaysWhenNoShellCanOpen(t *testing.T) {
	e := newEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nCOPY missing-"+history.NewID()+" /x\n")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "echo SHOULD-NOT-RUN", dir)
	if r.code != 1 || strings.Contains(r.stdout, "SHOULD-NOT-RUN") || !strings.Contains(r.stderr, "debug: ") {
		t.Errorf("debug of a failed COPY: exit %d, stdout %q, stderr:\n%s", r.code, r.stdout, lastLines(r.stderr, 10))
	}
	ok := t.TempDir()
	if err := os.WriteFile(filepath.Join(ok, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+history.NewID()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "echo SHOULD-NOT-RUN", ok); r.code != 0 || strings.Contains(r.stdout, "SHOULD-NOT-RUN") {
		t.Errorf("debug of a build that succeeds: exit %d, stdout %q", r.code, r.stdout)
	}
}

// --on always opens the process in the built image when the build
// succeeds, with the image's WORKDIR, USER and ENV; debug exits with the
// process's status, and the record says what ran. A bad --on is refused.
func TestDebugOnAlwaysOpensTheBuiltImage(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nENV MARK=m-"+nonce+"\nWORKDIR /srv\nRUN echo "+nonce+" > /srv/made\nUSER 65534\n")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--on", "always", "--invoke", "cat made; pwd; id -u; echo $MARK; exit 5", dir)
	if r.code != 5 {
		t.Fatalf("debug --on always exited %d, want the command's 5:\n%s", r.code, lastLines(r.stderr, 15))
	}
	for _, want := range []string{nonce + "\n", "/srv\n", "65534\n", "m-" + nonce + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the command's output lacks %q:\n%s", want, r.stdout)
		}
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusOK || !strings.Contains(b.Debug, "in the built image (exit 5)") {
		t.Errorf("record: status %q, debug %q", b.Status, b.Debug)
	}
	if r := e.run(t, nil, "debug", "--on", "sometimes", dir); r.code == 0 || !strings.Contains(r.stderr, `--on "sometimes"`) {
		t.Errorf("--on sometimes: exit %d, %s", r.code, r.stderr)
	}
}
