package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// editDir is a build whose last RUN fails (exit 3) after two steps that
// succeed, so that an edited re-run finds them in the cache.
func editDir(t *testing.T) (dir, dockerfile string) {
	nonce := history.NewID()
	dockerfile = "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo " + nonce + " > /one\nRUN echo two-" + nonce + " > /two\n" +
		"RUN sh -c 'mkdir -p /out && echo partial > /out/p && exit 3'\n"
	return flagDir(t, dockerfile), dockerfile
}

// debug --edit-with: the failed instruction, as written, is edited by
// the command (exit 3 to exit 0) and the build re-runs with it: the two
// steps before it come from the cache, only the edited step runs and
// passes, its log is printed, debug exits 0, the record says so, and the
// Dockerfile is untouched; an edit that changes nothing re-runs nothing.
func TestDebugEditReRunsOnlyTheEditedStep(t *testing.T) {
	e := newEnv(t)
	dir, dockerfile := editDir(t)
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "cat /out/p",
		"--edit-with", `sed -i 's/exit 3/echo RERAN-$((6*7)); exit 0/'`, dir)
	if r.code != 0 {
		t.Fatalf("debug --edit-with exited %d, want 0 (the edited step passes):\n%s", r.code, lastLines(r.stderr, 20))
	}
	for _, want := range []string{"exit code: 3", "debug: editing the failed instruction (Dockerfile line 4)",
		"the edited step (line 4) passed; 1 step ran, 2 reused", "Dockerfile is unchanged (--write-back"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, lastLines(r.stderr, 20))
		}
	}
	if !strings.Contains(r.stdout, "partial\n") || !strings.Contains(r.stdout, "RERAN-42") {
		t.Errorf("stdout lacks the invoked command's output or the edited step's log:\n%s", r.stdout)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(got) != dockerfile {
		t.Errorf("the Dockerfile changed without --write-back:\n%s", got)
	}
	b := e.lastRecord(t)
	if b.Status != model.StatusError || !strings.Contains(b.Debug, "a debug session re-ran line 4 edited to") ||
		!strings.Contains(b.Debug, "passed; 1 step ran, 2 reused") {
		t.Errorf("record: status %q, debug %q; want the failed build, noting the edited re-run", b.Status, b.Debug)
	}

	r = e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "true", "--edit-with", "true", dir)
	if !strings.Contains(r.stderr, "the instruction is unchanged: nothing to re-run") || strings.Contains(r.stderr, "the edited step") {
		t.Errorf("an edit that changes nothing: want no re-run, said:\n%s", lastLines(r.stderr, 10))
	}
}

// --write-back writes the edit into the Dockerfile: only the edited line
// changes, the file's mode is kept; without a change on disk since the
// build read it. One changed meanwhile is refused.
func TestDebugEditWriteBack(t *testing.T) {
	e := newEnv(t)
	dir, dockerfile := editDir(t)
	path := filepath.Join(dir, "Dockerfile")
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "true", "--edit-with", `sed -i 's/exit 3/exit 0/'`, "--write-back", dir)
	if r.code != 0 || !strings.Contains(r.stderr, "debug: wrote the edit to") {
		t.Fatalf("debug --write-back exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	got, _ := os.ReadFile(path)
	if want := strings.Replace(dockerfile, "exit 3'", "exit 0'", 1); string(got) != want {
		t.Errorf("the Dockerfile written back:\n%s\nwant:\n%s", got, want)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("the Dockerfile's mode after the write-back: %v %v, want 0640", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".Dockerfile.edit-*")); len(left) > 0 {
		t.Errorf("temp files left beside the Dockerfile: %v", left)
	}
}

// A failed RUN written over several lines is edited whole (its
// continuation lines as written), and an edit that still fails is said
// with the edited step's exit code, which debug exits with.
func TestDebugEditMultiLineStillFailing(t *testing.T) {
	e := newEnv(t)
	nonce := history.NewID()
	dockerfile := "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo " + nonce + " > /one\nRUN mkdir -p /out \\\n    && echo partial > /out/p \\\n    && exit 3\nRUN echo after\n"
	dir := flagDir(t, dockerfile)
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "true", "--edit-with", `sed -i 's/exit 3/echo STILL; exit 5/'`, dir)
	if r.code != 5 {
		t.Errorf("debug exited %d, want the edited step's 5:\n%s", r.code, lastLines(r.stderr, 20))
	}
	for _, want := range []string{"RUN mkdir -p /out \\\n      && echo partial > /out/p \\\n      && exit 3\n",
		"the edited step (line 3) failed (exit code 5); 1 step ran, 1 reused"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, lastLines(r.stderr, 20))
		}
	}
	if !strings.Contains(r.stdout, "STILL") {
		t.Errorf("stdout lacks the edited step's log:\n%s", r.stdout)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(got) != dockerfile {
		t.Errorf("the Dockerfile changed without --write-back:\n%s", got)
	}
}

// The edited re-run has the build's secrets, and its log goes through
// the build's redaction: a secret the edited step prints is not shown.
func TestDebugEditRedactsSecrets(t *testing.T) {
	e := newEnv(t)
	secret := "s3cr3t-" + history.NewID() + "-value"
	file := filepath.Join(t.TempDir(), "tok")
	if err := os.WriteFile(file, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN --mount=type=secret,id=x sh -c 'echo "+history.NewID()+"; exit 3'\n")
	r := e.run(t, nil, "debug", "--builder", "embedded", "--secret", "id=x,src="+file, "--invoke", "true",
		"--edit-with", `sed -i 's|exit 3|echo SAW-$(cat /run/secrets/x); exit 0|'`, dir)
	if r.code != 0 || !strings.Contains(r.stdout, "SAW-****") {
		t.Errorf("debug exited %d; stdout %q: want the edited step's log, the secret redacted:\n%s", r.code, r.stdout, lastLines(r.stderr, 15))
	}
	if strings.Contains(r.stdout+r.stderr, secret) {
		t.Errorf("the secret is printed:\n%s\n%s", r.stdout, r.stderr)
	}
}

// The Dockerfiles the instruction's unit tests read (continuation lines
// with a comment among them, a heredoc, the escape directive, CRLF line
// endings) fail on the real builder as written, and each is edited whole
// from the location BuildKit gives, re-run, and written back with only
// that instruction changed.
func TestDebugEditRealDockerfileShapes(t *testing.T) {
	e := newEnv(t)
	for _, name := range []string{"continuation", "heredoc", "escape", "crlf"} {
		src, err := os.ReadFile(filepath.Join("../../buildrun/dockeredit/testdata", name+".Dockerfile"))
		if err != nil {
			t.Fatal(err)
		}
		dir := flagDir(t, string(src))
		r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "true", "--edit-with", `sed -i 's/exit 3/exit 0/'`, "--write-back", dir)
		if r.code != 0 || !strings.Contains(r.stderr, "passed;") {
			t.Errorf("%s: debug exited %d:\n%s", name, r.code, lastLines(r.stderr, 20))
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(got) != strings.Replace(string(src), "exit 3", "exit 0", 1) {
			t.Errorf("%s: written back:\n%q", name, got)
		}
	}
}

// A Dockerfile with its own ignore file (Dockerfile.dockerignore, which
// the frontend reads in place of the context's .dockerignore): the
// re-run sends the same context, so the COPY before the edited step is
// not run again.
func TestDebugEditKeepsTheDockerfilesIgnoreFile(t *testing.T) {
	e := newEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nCOPY . /ctx\nRUN test ! -e /ctx/left-out && exit 3\n")
	for name, body := range map[string]string{"Dockerfile.dockerignore": "left-out\n", "left-out": history.NewID(), "kept": history.NewID()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r := e.run(t, nil, "debug", "--builder", "embedded", "--invoke", "true", "--edit-with", `sed -i 's/exit 3/exit 0/'`, dir)
	if r.code != 0 || !strings.Contains(r.stderr, "the edited step (line 3) passed; 1 step ran, 1 reused") {
		t.Errorf("debug exited %d; want the edited step alone run, the COPY reused:\n%s", r.code, lastLines(r.stderr, 15))
	}
}
