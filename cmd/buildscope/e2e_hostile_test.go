package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/buildscope/buildscope/buildrun/history"
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

// builderDir is where the env's embedded builder keeps its state.
func (e *env) builderDir() string { return e.builder }

// A SIGSTOP'd buildkitd is named with its pid and what to do; nothing
// replaces it behind its back (its pid file stays, no second daemon);
// `builder stop` ends it and `builder start` starts a new one.
func TestBuilderStoppedDaemonIsNamedAndRecovered(t *testing.T) {
	e := newColdEnv(t)
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
	if r.code == 0 || strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "buildscope: "+want) ||
		!strings.Contains(r.stderr, "): run `buildscope builder stop` to end it, then retry; its log is ") {
		t.Errorf("build on a stopped daemon: exit %d, stderr\n%s\nwant one line starting\nbuildscope: %s", r.code, r.stderr, want)
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
	e := newColdEnv(t)
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
	dir := historyWithDamage(t, e, "0a0a0a0a0a0a", "0b0b0b0b0b0b", 20)
	bad := filepath.Join(dir, "0b0b0b0b0b0b.json")
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
	if r := e.mustRun(t, "history", "rm", "0b0b0b0b0b0b"); !strings.HasPrefix(r.stdout, "removed 0b0b0b0b0b0b from buildscope's history (its record, events and inputs)\n") {
		t.Errorf("history rm: %q", r.stdout)
	}
	if r := e.mustRun(t, "history", "ls"); r.stderr != "" {
		t.Errorf("after rm: %q", r.stderr)
	}
}

// A record a newer buildscope wrote (schema SchemaVersion+1) is refused
// by `history show` with model.CheckSchema's one line naming it; `history
// ls` names it, as it names damaged records, and lists the others; doctor
// names it and keeps it.
func TestHistoryNewerSchemaRecordCLI(t *testing.T) {
	e := newEnv(t)
	dir := historyWithDamage(t, e, "0e0e0e0e0e0e", "0f0f0f0f0f0f", 0)
	newer := fmt.Sprintf(`{"schema": %d, "id": "0f0f0f0f0f0f", "status": "ok", "started": "2026-01-02T00:00:00Z", "stages": [], "future": 1}`, model.SchemaVersion+1)
	os.WriteFile(filepath.Join(dir, "0f0f0f0f0f0f.json"), []byte(newer), 0o600)
	line := (&model.SchemaError{ID: "0f0f0f0f0f0f", Schema: model.SchemaVersion + 1}).Error()
	if r := e.run(t, nil, "history", "show", "0f0f"); r.code != 1 || r.stderr != "buildscope: "+line+"\n" {
		t.Errorf("history show of the newer record: exit %d, %q", r.code, r.stderr)
	}
	if r := e.mustRun(t, "history", "ls"); !strings.Contains(r.stdout, "0e0e0e0e0e0e") || r.stderr != "buildscope: skipping "+line+"\n" {
		t.Errorf("history ls: stdout\n%s\nstderr\n%s", r.stdout, r.stderr)
	}
	if r := e.mustRun(t, "history", "doctor", "--fix"); !strings.Contains(r.stdout, "newer: 0f0f0f0f0f0f") || !strings.Contains(r.stdout, "1 records readable, 0 damaged, 1 of a newer schema") {
		t.Errorf("doctor --fix: %s", r.stdout)
	}
}

// A secret printed in two writes a second apart is redacted in the plain
// output, --progress json and the stored event log: neither half appears.
func TestSecretSplitAcrossWritesRedacted(t *testing.T) {
	shared := newEnv(t)
	secret := "split-" + history.NewID() + "-value"
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

// inspect refuses, in one line naming the input, a layout whose layer
// blob was swapped for another of the same size, a FIFO, and a path that
// does not exist (without asking a registry).
func TestInspectHostileInputs(t *testing.T) {
	e := newEnv(t)
	gzLayer := func(body string) v1.Layer {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		tw.WriteHeader(&tar.Header{Name: "a", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		io.WriteString(tw, body)
		tw.Close()
		data := buf.Bytes()
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
			tarball.WithCompressionLevel(gzip.NoCompression))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	real, swap := gzLayer("aaaa"), gzLayer("bbbb")
	img, err := mutate.AppendLayers(empty.Image, real)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	claimed, _ := real.Digest()
	got, _ := swap.Digest()
	rc, _ := swap.Compressed()
	swapped, _ := io.ReadAll(rc)
	os.WriteFile(filepath.Join(dir, "blobs", "sha256", claimed.Hex), swapped, 0o644)

	fifo := filepath.Join(t.TempDir(), "image.tar")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for spec, want := range map[string]string{
		dir:         fmt.Sprintf("layer blob %s in %s does not match its digest (its content hashes to %s): the image is corrupt", claimed, dir, got),
		fifo:        fifo + " is a named pipe (FIFO), not a file: ",
		"./no/such": "buildscope: ./no/such does not exist: IMAGE is a path to an OCI layout or a docker save tar",
		"image.tar": "buildscope: image.tar does not exist: ",
	} {
		r := e.run(t, nil, "inspect", "--json", spec)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, want) || r.stdout != "" {
			t.Errorf("inspect %s: exit %d, stdout %q, stderr %q; want one line with %q", spec, r.code, r.stdout, r.stderr, want)
		}
	}
}

// history doctor names the damaged records (exit 1), and --fix removes
// them and nothing else.
func TestHistoryDoctor(t *testing.T) {
	e := newEnv(t)
	dir := historyWithDamage(t, e, "0c0c0c0c0c0c", "0d0d0d0d0d0d", 7)
	r := e.run(t, nil, "history", "doctor")
	if r.code != 1 || !strings.Contains(r.stdout, "damaged: 0d0d0d0d0d0d (") || !strings.Contains(r.stdout, "1 records readable, 1 damaged") ||
		!strings.Contains(r.stderr, "`buildscope history doctor --fix` removes them") {
		t.Errorf("doctor: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = e.mustRun(t, "history", "doctor", "--fix")
	if !strings.Contains(r.stdout, "removed damaged record 0d0d0d0d0d0d") {
		t.Errorf("doctor --fix: %s", r.stdout)
	}
	if _, err := os.Stat(filepath.Join(dir, "0d0d0d0d0d0d.json")); !os.IsNotExist(err) {
		t.Errorf("the damaged record is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "0c0c0c0c0c0c.json")); err != nil {
		t.Errorf("the good record went too: %v", err)
	}
	if r := e.mustRun(t, "history", "doctor"); !strings.Contains(r.stdout, "1 records readable, 0 damaged") {
		t.Errorf("after --fix: %s", r.stdout)
	}
}

// historyWithDamage writes into e's history a good record and a copy of
// it cut to cut bytes under the ID damaged, and returns the directory.
func historyWithDamage(t *testing.T, e *env, good, damaged string, cut int) string {
	t.Helper()
	dir := filepath.Join(e.dir, "state", "buildscope", "history")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	rec, _ := json.Marshal(&model.Build{ID: good, Status: model.StatusOK, Started: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	os.WriteFile(filepath.Join(dir, good+".json"), rec, 0o600)
	os.WriteFile(filepath.Join(dir, damaged+".json"), rec[:cut], 0o600)
	return dir
}
