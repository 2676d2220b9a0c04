package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/testdeps"
	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/model"
)

// A context file the client cannot read fails the build naming it; it
// was copied into the image as an empty file. As root, the client runs
// without the capabilities that let root read any file.
func TestContextFileTheClientCannotRead(t *testing.T) {
	shared := newEnv(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\nCOPY . /src\nRUN wc -c /src/token\n",
		"token":      "a token the client may not read\n",
	})
	tok := filepath.Join(dir, "token")
	if err := os.Chmod(tok, 0); err != nil {
		t.Fatal(err)
	}
	shared.mustRun(t, "builder", "start") // with every capability: it is the builder
	args := []string{"build", "--builder", "embedded", "--progress", "plain", dir}
	cmd := exec.Command(binPath, args...)
	if os.Geteuid() == 0 {
		setpriv := testdeps.Tool(t, "setpriv") // to drop CAP_DAC_OVERRIDE with
		cmd = exec.Command(setpriv, append([]string{"--inh-caps=-dac_override,-dac_read_search",
			"--bounding-set=-dac_override,-dac_read_search", binPath}, args...)...)
	}
	cmd.Env = shared.vars
	out, err := cmd.CombinedOutput()
	want := "buildscope: build "
	tail := " failed: cannot read " + tok + " of the build context (permission denied): it would be sent as an empty file; make it readable or list it in .dockerignore\n"
	last := lastLines(string(out), 1) + "\n"
	if err == nil || !strings.HasPrefix(last, want) || !strings.HasSuffix(last, tail) {
		t.Errorf("%v:\n%s\nwant a last line %s…%s", err, lastLines(string(out), 8), want, tail)
	}
	// listed in .dockerignore, it is not read, and the build goes on
	writeFiles(t, dir, map[string]string{".dockerignore": "token\n", "Dockerfile": "FROM " + baseAddr + "/buildscope/busybox:latest\nCOPY . /src\nRUN test ! -e /src/token\n"})
	again := exec.Command(cmd.Path, cmd.Args[1:]...)
	again.Env = shared.vars
	if out, err := again.CombinedOutput(); err != nil {
		t.Errorf("with the file in .dockerignore: %v\n%s", err, lastLines(string(out), 8))
	}
}

func digestOf(t *testing.T, l v1.Layer) string {
	t.Helper()
	d, err := l.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// writeGzJSON writes v as one gzip'd JSON line to path.
func writeGzJSON(t *testing.T, path string, v any) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	if err := json.NewEncoder(gz).Encode(v); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// cliCase is a case of the catalogue given to the real binary: a
// Dockerfile, context, secret or builder address, with the exact line it
// must print (CTX stands for the context directory) and a non-zero exit;
// nothing reaches a builder before the input is refused unless the case
// needs one.
type cliCase struct {
	name string
	ctx  string // the Dockerfile; "" for none
	args []string
	want string
}

func (c cliCase) run(t *testing.T, shared *env) {
	dir := t.TempDir()
	if c.ctx != "" {
		writeFiles(t, dir, map[string]string{"Dockerfile": c.ctx})
	}
	writeFiles(t, dir, map[string]string{"one": "x"})
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = strings.ReplaceAll(a, "CTX", dir)
	}
	r := shared.run(t, nil, args...)
	want := "buildscope: " + strings.ReplaceAll(c.want, "CTX", dir) + "\n"
	if r.code == 0 || r.stderr != want {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", r.code, r.stderr, want)
	}
}

func cliCases() []cliCase {
	base := "FROM " + baseAddr + "/buildscope/busybox:latest\n"
	long := base + "RUN echo one\nRUN echo " + strings.Repeat("x", 70000) + "\n"
	return []cliCase{
		{"Dockerfile: a line over 64 KiB", long, []string{"build", "--progress", "plain", "CTX"},
			"CTX/Dockerfile:3: the line is longer than 65535 bytes, the most BuildKit's parser reads"},
		{"Dockerfile: no FROM", "RUN true\n", []string{"build", "--progress", "plain", "CTX"},
			"CTX/Dockerfile:1: no build stage in current context"},
		{"context: does not exist", "", []string{"build", "--progress", "plain", "CTX/nope"},
			"build context CTX/nope does not exist: pass the directory that holds your sources"},
		{"secret: an unset variable", base, []string{"build", "--progress", "plain", "--secret", "id=tok,env=BS_NEVER_SET_VAR", "CTX"},
			`secret "tok": environment variable BS_NEVER_SET_VAR is not set: set it (an empty value is allowed) or pass src=FILE`},
		{"secret: neither a file nor a variable", base, []string{"build", "--progress", "plain", "--secret", "id=BS_NEITHER", "CTX"},
			`secret "BS_NEITHER": there is no file BS_NEITHER and no environment variable BS_NEITHER: pass id=BS_NEITHER,src=FILE or id=BS_NEITHER,env=VAR`},
		{"secret: one character", base, []string{"build", "--progress", "plain", "--secret", "id=one,src=CTX/one", "CTX"},
			`secret "one" is 1 bytes long: secrets shorter than 4 bytes cannot be redacted from build output without rewriting ordinary text; use a longer value`},
		{"builder: http://", base, []string{"build", "--progress", "plain", "--builder", "http://127.0.0.1:1234", "CTX"},
			`builder address "http://127.0.0.1:1234": BuildKit speaks gRPC, not http; for a buildkitd listening on 127.0.0.1:1234 use tcp://127.0.0.1:1234 (with --tlscacert, --tlscert and --tlskey for TLS)`},
		{"builder: an unknown scheme", base, []string{"build", "--progress", "plain", "--builder", "ftp://x", "CTX"},
			`builder address "ftp://x": unknown scheme "ftp"; use one of unix://, tcp://, docker-container://, kube-pod://, nerdctl-container://, podman-container://, ssh://`},
		{"builder: tcp:// without a port", base, []string{"build", "--progress", "plain", "--builder", "tcp://127.0.0.1", "CTX"},
			`builder address "tcp://127.0.0.1" has no port: use tcp://HOST:PORT (buildkitd has no default port)`},
		{"builder: BUILDKIT_HOST of http://", base, []string{"history", "ls", "--builder", "https://build.example"},
			`builder address "https://build.example": BuildKit speaks gRPC, not https; for a buildkitd listening on build.example use tcp://build.example:1234 (with --tlscacert, --tlscert and --tlskey for TLS)`},
		{"builder: a unix socket that is not there", base, []string{"build", "--progress", "plain", "--builder", "unix://CTX/no.sock", "CTX"},
			"cannot reach BuildKit at unix://CTX/no.sock: failed to list workers: Unavailable: connection error: desc = \"transport: Error while dialing: dial unix CTX/no.sock: connect: no such file or directory\"; check that buildkitd runs and listens there, or choose another with --builder / BUILDKIT_HOST"},
		{"builder: a name that is not one", base, []string{"build", "--progress", "plain", "--builder", "default", "CTX"},
			`unknown builder "default": use embedded, docker, or a BuildKit address such as unix:///run/buildkit/buildkitd.sock, tcp://host:1234, docker-container://NAME, kube-pod://NAME, ssh://user@host`},
	}
}

// shapeCase is a hostile shape of an image or a record given to the real
// binary: a path deeper than Linux can hold given to inspect and compare
// (which took 12 and 45 s, and compare printed 2.5 GB, at 50,000 levels)
// and a record whose events loop (trace looped, growing ~500 MB/s). Each
// is refused in one line (DIR stands for the image's directory, ID for
// the build).
type shapeCase struct {
	name  string
	setup func(t *testing.T, dir string, e *env)
	args  []string
	want  string
}

const shapeID = "c7c1e0000001"

func (c shapeCase) run(t *testing.T, shared *env) {
	dir := t.TempDir()
	c.setup(t, dir, shared)
	args := make([]string, len(c.args))
	for i, a := range c.args {
		args[i] = strings.ReplaceAll(a, "DIR", dir)
	}
	r := shared.run(t, nil, args...)
	want := "buildscope: " + strings.ReplaceAll(strings.ReplaceAll(c.want, "DIR", dir), "ID", shapeID) + "\n"
	if r.code == 0 || r.stderr != want {
		t.Errorf("exit %d, stderr\n%s\nwant\n%s", r.code, r.stderr, want)
	}
}

func shapeCases(t *testing.T) []shapeCase {
	deep := imagetest.Image(t, []imagetest.File{imagetest.Text(strings.Repeat("a/", 50000)+"f", "x")})
	small := imagetest.Image(t, []imagetest.File{imagetest.Text("f", "x")})
	l, _ := deep.Layers()
	diffID, _ := l[0].DiffID()
	refused := "member /a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/…: its path is 100002 bytes long, over the bound of 4096 (PATH_MAX: no container runtime can unpack it): refused"
	const id = shapeID
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return []shapeCase{
		{"inspect: a path 50,000 levels deep", func(t *testing.T, dir string, shared *env) {
			imagetest.WriteLayout(t, filepath.Join(dir, "deep"), deep)
		},
			[]string{"inspect", "--json", "DIR/deep"}, "inspecting DIR/deep: reading layer 0 (" + digestOf(t, l[0]) + "): " + refused},
		{"compare: B holds a path 50,000 levels deep", func(t *testing.T, dir string, shared *env) {
			imagetest.WriteLayout(t, filepath.Join(dir, "deep"), deep)
			imagetest.WriteLayout(t, filepath.Join(dir, "small"), small)
		}, []string{"compare", "--json", "DIR/small", "DIR/deep"}, "reading the files of A and B: reading image B's layer 1, " + diffID.String() + ": " + refused},
		{"trace: a record whose events loop", func(t *testing.T, dir string, shared *env) {
			h := history.History{Dir: filepath.Join(shared.dir, "state", "buildscope", "history")}
			if err := h.Save(&model.Build{ID: id, Status: model.StatusOK, Started: t0}); err != nil {
				t.Fatal(err)
			}
			at := func(s int) *time.Time { x := t0.Add(time.Duration(s) * time.Second); return &x }
			writeGzJSON(t, filepath.Join(h.Dir, id+".events.jsonl.gz"), &client.SolveStatus{Vertexes: []*client.Vertex{
				{Digest: digest.FromString("a"), Name: "[s 1/2] RUN a", Started: at(0), Completed: at(1), Inputs: []digest.Digest{digest.FromString("b")}},
				{Digest: digest.FromString("b"), Name: "[s 2/2] RUN b", Started: at(1), Completed: at(2), Inputs: []digest.Digest{digest.FromString("a")}}}})
		}, []string{"trace", id}, "build ID: the vertices of its events depend on each other in a cycle (\"" + digest.FromString("a").Encoded()[:12] +
			" [s 1/2] RUN a\" → \"" + digest.FromString("b").Encoded()[:12] + " [s 2/2] RUN b\" → \"" + digest.FromString("a").Encoded()[:12] +
			" [s 1/2] RUN a\"): BuildKit's vertices form no cycle, so the events were edited or damaged; there is no critical path to follow"},
	}
}
