package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

func TestBadInputErrors(t *testing.T) {
	shared := newEnv(t)
	tmp := t.TempDir()
	syntax := filepath.Join(tmp, "syntax")
	os.MkdirAll(syntax, 0o755)
	os.WriteFile(filepath.Join(syntax, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox\nRUN true\nCOPY\n"), 0o644)
	empty := filepath.Join(tmp, "empty")
	os.MkdirAll(empty, 0o755)

	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"syntax error", []string{"build", syntax}, []string{"syntax/Dockerfile:3:", "COPY requires at least two arguments"}},
		{"missing context", []string{"build", filepath.Join(tmp, "nope")}, []string{"build context", "nope", "does not exist"}},
		{"missing Dockerfile", []string{"build", empty}, []string{"no Dockerfile at", "-f/--file"}},
		{"missing -f file", []string{"build", "-f", filepath.Join(empty, "Other.dockerfile"), empty}, []string{"no Dockerfile at", "Other.dockerfile"}},
		{"unknown target", []string{"build", "--target", "nope", "../../assets/examples/multistage"}, []string{`target stage "nope" not found`, "builder, production"}},
		{"unreachable builder", []string{"build", "--builder", "unix:///tmp/bs-none.sock", "../../assets/examples/multistage"},
			[]string{"cannot reach BuildKit at unix:///tmp/bs-none.sock", "--builder"}},
		{"unknown builder", []string{"build", "--builder", "kubernetes", "../../assets/examples/multistage"}, []string{`unknown builder "kubernetes"`, "embedded, docker"}},
		{"bad progress", []string{"build", "--progress", "fancy", "../../assets/examples/multistage"}, []string{`invalid --progress "fancy"`}},
		{"bad build arg", []string{"build", "--build-arg", "=x", "../../assets/examples/multistage"}, []string{"invalid --build-arg"}},
		{"unreadable secret", []string{"build", "--secret", "id=t,src=" + filepath.Join(tmp, "nosecret"), "../../assets/examples/multistage"}, []string{`reading secret "t"`}},
		{"unknown history id", []string{"history", "show", "zzzz"}, []string{`no build "zzzz"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := shared.run(t, nil, c.args...)
			if r.code == 0 {
				t.Fatalf("exit 0, want an error")
			}
			msg := strings.TrimSpace(r.stderr)
			if strings.Count(msg, "\n") != 0 {
				t.Errorf("error is not one line:\n%s", msg)
			}
			if !strings.HasPrefix(msg, "buildscope: ") {
				t.Errorf("error %q lacks the program name", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

func TestFailingStepRecorded(t *testing.T) {
	shared := newEnv(t)
	b, r := shared.build(t, "--builder", "embedded", "../../testdata/fail")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	last := lastLines(r.stderr, 1)
	if !strings.Contains(last, "testdata/fail/Dockerfile:4:") || !strings.Contains(last, "exit code: 3") {
		t.Errorf("last line %q should name file:line and the exit code", last)
	}
	if b.Status != model.StatusError || !strings.Contains(b.Error, "exit code: 3") {
		t.Errorf("record status %q error %q", b.Status, b.Error)
	}
	st := stepsByLine(b)["builder:4"]
	if !strings.Contains(st.Error, "exit code: 3") {
		t.Errorf("failing step error %q", st.Error)
	}
	var list []*model.Build
	json.Unmarshal([]byte(shared.mustRun(t, "history", "ls", "--json").stdout), &list)
	if list[len(list)-1].ID != b.ID || list[len(list)-1].Status != model.StatusError {
		t.Errorf("failed build not last in history")
	}
}

func TestSecretsNeverRecorded(t *testing.T) {
	shared := newEnv(t)
	secret := "tok-" + history.NewID() + "-value"
	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte(secret+"\n"), 0o600)
	report := filepath.Join(t.TempDir(), "r.json")
	r := shared.run(t, nil, "build", "--builder", "embedded", "--no-cache", "--progress", "json", "--report", report,
		"--secret", "id=token,src="+file, "../../testdata/secret")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, lastLines(r.stderr, 10))
	}
	// the step did print the secret: its log carries the redaction mark
	var logs bytes.Buffer
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var s client.SolveStatus
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatalf("--progress json line %q: %v", sc.Text(), err)
		}
		for _, l := range s.Logs {
			logs.Write(l.Data)
		}
	}
	if !strings.Contains(logs.String(), "token is ****") {
		t.Errorf("the RUN's output should show the redacted secret; logs:\n%s", logs.String())
	}
	b64 := base64.StdEncoding.EncodeToString([]byte(secret))
	for name, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr, "logs": logs.String(), "report": readFile(t, report)} {
		if strings.Contains(text, secret) || strings.Contains(text, b64[:len(b64)-4]) {
			t.Errorf("secret appears in %s", name)
		}
	}
	hist, _ := filepath.Glob(filepath.Join(shared.dir, "state", "buildscope", "history", "*.json"))
	if len(hist) == 0 {
		t.Fatal("no history written")
	}
	for _, h := range hist {
		if strings.Contains(readFile(t, h), secret) {
			t.Errorf("secret appears in %s", h)
		}
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Ctrl-C cancels the solve: exit 130, a canceled record, and the builder
// still builds afterwards.
func TestInterruptCancelsBuild(t *testing.T) {
	shared := newEnv(t)
	dir := t.TempDir()
	nonce := history.NewID()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+nonce+" && echo started-sleeping && sleep 60\n"), 0o644)
	cmd := exec.Command(binPath, "build", "--builder", "embedded", "--progress", "plain", dir)
	cmd.Env = shared.vars
	if code := interruptAt(t, cmd, "started-sleeping"); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	b := shared.lastRecord(t)
	if b.Status != model.StatusCanceled || b.Dockerfile != filepath.Join(dir, "Dockerfile") {
		t.Errorf("last record: status %q dockerfile %s", b.Status, b.Dockerfile)
	}
	if _, r := shared.build(t, "--builder", "embedded", "../../assets/examples/multistage"); r.code != 0 {
		t.Errorf("a build after the cancel failed: %s", lastLines(r.stderr, 10))
	}
}

// A builder that dies mid-build ends the build with a clear error, no hang.
func TestBuilderDiesMidBuild(t *testing.T) {
	e := newColdEnv(t)
	e.mustRun(t, "builder", "start")
	st := builderStatus(t, e)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+history.NewID()+" && echo started-sleeping && sleep 60\n"), 0o644)
	cmd := exec.Command(binPath, "build", "--builder", "embedded", "--progress", "plain", dir)
	cmd.Env = e.vars
	code := endAt(t, cmd, "started-sleeping", "its builder died", 60*time.Second, func() error { return syscall.Kill(st.PID, syscall.SIGKILL) })
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var b model.Build
	json.Unmarshal([]byte(e.mustRun(t, "history", "show", "last", "--json").stdout), &b)
	if b.Status != model.StatusError || !strings.Contains(b.Error, "lost the connection to the builder") {
		t.Errorf("record status %q error %q", b.Status, b.Error)
	}
	// the killed daemon left the step's overlays mounted in its root;
	// stopping the (dead) builder detaches them, or they stay until reboot
	e.mustRun(t, "builder", "stop")
	if left, err := mountPointsUnder(e.builder); err != nil || len(left) > 0 {
		t.Errorf("mounts left under the dead builder's directory after builder stop (%v):\n%s", err, strings.Join(left, "\n"))
	}
}
