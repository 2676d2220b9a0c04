package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun"
	"github.com/buildscope/buildscope/model"
)

// procStateOf returns the state letter of process pid ("" when gone).
func procStateOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

func (e *env) builderDir() string { return filepath.Join(e.dir, "state", "buildscope", "buildkitd") }

// A SIGSTOP'd buildkitd is named with its pid and what to do; nothing
// replaces it behind its back (its pid file stays, no second daemon);
// `builder stop` ends it and `builder start` starts a new one.
func TestBuilderStoppedDaemonIsNamedAndRecovered(t *testing.T) {
	e := newEnv(t)
	e.mustRun(t, "builder", "start")
	pid := builderStatus(t, e).PID
	if pid == 0 {
		t.Fatal("no pid after start")
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Signal(syscall.SIGCONT) })
	if err := p.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for i := 0; procStateOf(pid) != "T"; i++ {
		if i == 500 {
			t.Fatalf("buildkitd %d did not stop: state %q", pid, procStateOf(pid))
		}
		time.Sleep(20 * time.Millisecond)
	}
	st := builderStatus(t, e)
	want := fmt.Sprintf("the embedded builder's buildkitd (pid %d) is stopped (SIGSTOP) and does not answer on %s (", pid, st.Address)
	if st.Running || st.PID != pid || !strings.HasPrefix(st.Problem, want) ||
		!strings.Contains(st.Problem, "): run `buildscope builder stop` to end it, then retry; its log is ") {
		t.Errorf("status of a stopped daemon: %+v\nwant a problem starting %q", st, want)
	}
	r := e.run(t, nil, "build", "--builder", "embedded", "--progress", "plain", "../../assets/examples/multistage")
	if r.code == 0 || r.stderr != "buildscope: "+st.Problem+"\n" {
		t.Errorf("build on a stopped daemon: exit %d, stderr\n%s\nwant the one line\nbuildscope: %s", r.code, r.stderr, st.Problem)
	}
	if got := strings.TrimSpace(readFile(t, filepath.Join(e.builderDir(), "buildkitd.pid"))); got != strconv.Itoa(pid) {
		t.Errorf("pid file now names %s, want the stopped daemon %d", got, pid)
	}
	if log := readFile(t, filepath.Join(e.builderDir(), "buildkitd.log")); strings.Contains(log, "could not lock") {
		t.Errorf("a second daemon was started:\n%s", lastLines(log, 5))
	}
	if s := procStateOf(pid); s != "T" {
		t.Errorf("the stopped daemon is in state %q, want it left alone (T)", s)
	}

	e.mustRun(t, "builder", "stop")
	if s := procStateOf(pid); s != "" && s != "Z" {
		t.Errorf("daemon %d still there (state %s) after stop", pid, s)
	}
	e.mustRun(t, "builder", "start")
	if st := builderStatus(t, e); !st.Running || st.PID == pid || st.PID == 0 {
		t.Errorf("after stop and start: %+v", st)
	}
}

// A pid file naming a process that is not this builder's buildkitd (a pid
// reused since) is never signalled.
func TestBuilderStopLeavesUnrelatedProcess(t *testing.T) {
	e := newEnv(t)
	sleep := exec.Command("sleep", "600")
	if err := sleep.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sleep.Process.Kill(); _ = sleep.Wait() })
	if err := os.MkdirAll(e.builderDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(e.builderDir(), "buildkitd.pid")
	if err := os.WriteFile(pidFile, []byte(strconv.Itoa(sleep.Process.Pid)), 0o600); err != nil {
		t.Fatal(err)
	}
	if st := builderStatus(t, e); st.Running || st.PID != 0 || st.Problem != "" {
		t.Errorf("status with an unrelated pid file: %+v", st)
	}
	e.mustRun(t, "builder", "stop")
	if s := procStateOf(sleep.Process.Pid); s != "S" {
		t.Fatalf("builder stop signalled the unrelated process %d (state %q)", sleep.Process.Pid, s)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("the wrong pid file was kept: %v", err)
	}
}

// One truncated record does not break history: ls lists the rest and says
// which record is damaged, show names it, rm removes it.
func TestHistoryDamagedRecordCLI(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.dir, "state", "buildscope", "history")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	good, _ := json.Marshal(&model.Build{ID: "0a0a0a0a0a0a", Status: model.StatusOK, Started: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	os.WriteFile(filepath.Join(dir, "0a0a0a0a0a0a.json"), good, 0o600)
	bad := filepath.Join(dir, "0b0b0b0b0b0b.json")
	os.WriteFile(bad, good[:20], 0o600)
	os.WriteFile(filepath.Join(dir, "last"), []byte("0b0b0b0b0b0b 2026-01-02T00:00:00Z"), 0o600)

	damaged := "build record 0b0b0b0b0b0b is damaged (" + bad + ": unexpected end of JSON input): `buildscope history rm 0b0b0b0b0b0b` removes it"
	r := e.mustRun(t, "history", "ls")
	if !strings.Contains(r.stdout, "0a0a0a0a0a0a") || r.stderr != "buildscope: skipping "+damaged+"\n" {
		t.Errorf("history ls: stdout\n%s\nstderr\n%s", r.stdout, r.stderr)
	}
	r = e.mustRun(t, "history", "show", "last", "--json")
	if !strings.Contains(r.stdout, `"id": "0a0a0a0a0a0a"`) {
		t.Errorf("history show last skipped to %s", r.stdout)
	}
	if r := e.run(t, nil, "history", "show", "0b0b"); r.code != 1 || r.stderr != "buildscope: "+damaged+"\n" {
		t.Errorf("history show of the damaged record: exit %d, %q", r.code, r.stderr)
	}
	if r := e.mustRun(t, "history", "rm", "0b0b0b0b0b0b"); r.stdout != "removed 0b0b0b0b0b0b\n" {
		t.Errorf("history rm: %q", r.stdout)
	}
	if r := e.mustRun(t, "history", "ls"); r.stderr != "" {
		t.Errorf("after rm: %q", r.stderr)
	}
}

// A secret printed in two writes a second apart is redacted in the plain
// output, --progress json and the stored event log: neither half appears.
func TestSecretSplitAcrossWritesRedacted(t *testing.T) {
	secret := "split-" + buildrun.NewID() + "-value"
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM "+baseAddr+"/buildscope/busybox:latest\n"+
		"RUN --mount=type=secret,id=tok sh -c 'head -c 9 /run/secrets/tok; sleep 1; tail -c +10 /run/secrets/tok; echo; echo done'\n"), 0o644)
	file := filepath.Join(t.TempDir(), "tok")
	os.WriteFile(file, []byte(secret), 0o600)
	halves := []string{secret[:9], secret[9:]}
	for _, progress := range []string{"plain", "json"} {
		report := filepath.Join(t.TempDir(), "r.json")
		r := shared.run(t, nil, "build", "--builder", "embedded", "--no-cache", "--progress", progress, "--report", report,
			"--secret", "id=tok,src="+file, dir)
		if r.code != 0 {
			t.Fatalf("--progress %s: exit %d: %s", progress, r.code, lastLines(r.stderr, 10))
		}
		var b model.Build
		json.Unmarshal([]byte(readFile(t, report)), &b)
		events := filepath.Join(shared.dir, "state", "buildscope", "history", b.ID+".events.jsonl.gz")
		out, err := exec.Command("sh", "-c", "gzip -dc "+events).Output()
		if err != nil {
			t.Fatalf("reading %s: %v", events, err)
		}
		for name, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "events": string(out)} {
			for _, h := range halves {
				if strings.Contains(text, h) {
					t.Errorf("--progress %s: %q of the secret appears in %s", progress, h, name)
				}
			}
		}
		if progress == "plain" && !strings.Contains(r.stderr, "****") {
			t.Errorf("the step's output shows no redaction mark:\n%s", lastLines(r.stderr, 20))
		}
	}
}
