package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// compareOut is the part of `compare --json` this test reads, decoded into
// its own structs so a renamed field fails here.
type compareOut struct {
	A, B  string
	Build *struct {
		Steps []struct {
			Instruction string `json:"instruction"`
			Why         *struct {
				Reason string `json:"reason"`
			} `json:"why"`
		} `json:"steps"`
	} `json:"build"`
	Image struct {
		Size       [2]int64 `json:"size_bytes"`
		Compressed [2]int64 `json:"compressed_bytes"`
		Shared     int      `json:"shared_layers"`
		Config     []struct {
			Field, A, B string
		} `json:"config_changes"`
		Files []struct {
			Path      string    `json:"path"`
			Kind      string    `json:"kind"`
			What      []string  `json:"what"`
			CreatedBy [2]string `json:"created_by"`
		} `json:"files"`
		Same bool `json:"same_content"`
	} `json:"image"`
}

// Two builds of a Dockerfile changed in between: a new, a removed and a
// changed file in a shared directory, an ENV change and a larger layer.
// compare names every difference with the step that made it, its sizes
// are go-containerregistry's, and --fail-on judges it.
func TestCompareTwoBuilds(t *testing.T) {
	e := newEnv(t) // its history is its own; the RUN's nonce makes B's steps its own too
	dir, a, b := twoChangedBuilds(t, e)
	var out compareOut
	if err := json.Unmarshal([]byte(e.mustRun(t, "compare", "--json", "build:last~1", "build:last").stdout), &out); err != nil {
		t.Fatal(err)
	}
	if out.A != "build:"+a.ID || out.B != "build:"+b.ID {
		t.Errorf("compared %s with %s, want build:%s with build:%s", out.A, out.B, a.ID, b.ID)
	}
	got := map[string]string{}
	for _, f := range out.Image.Files {
		got[f.Kind+" "+f.Path] = strings.Join(f.What, ",")
		if f.Kind != "D" && !strings.Contains(f.CreatedBy[1], "COPY") && !strings.Contains(f.CreatedBy[1], "RUN") {
			t.Errorf("%s %s: made by %q, want its step", f.Kind, f.Path, f.CreatedBy[1])
		}
	}
	want := map[string]string{"C /etc/app/a.conf": "content,size", "D /etc/app/b.conf": "", "A /etc/app/c.conf": "", "C /data.bin": "content,size"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("file changes %v, want %v", got, want)
	}
	env := false
	for _, c := range out.Image.Config {
		if c.Field == "Env" && strings.Contains(c.A, "MODE=one") && strings.Contains(c.B, "MODE=two") {
			env = true
		}
	}
	if !env {
		t.Errorf("config changes %+v, want Env MODE one → two", out.Image.Config)
	}
	if out.Image.Shared != 1 {
		t.Errorf("%d shared layers, want the base", out.Image.Shared)
	}
	// sizes as go-containerregistry reads the two images
	for i, rec := range []string{a.ID, b.ID} {
		rb := readRecord(t, e, rec)
		comp := blobBytes(t, rb.Result.Path, rb.Result.Ref)
		if out.Image.Compressed[i] != comp {
			t.Errorf("side %d compressed %d, go-containerregistry %d", i, out.Image.Compressed[i], comp)
		}
	}
	if out.Build == nil {
		t.Fatal("two builds compared without their steps")
	}
	copied := false
	for _, s := range out.Build.Steps {
		if strings.HasPrefix(s.Instruction, "COPY etc/") && s.Why != nil && s.Why.Reason == "context-changed" {
			copied = true
		}
	}
	if !copied {
		t.Errorf("steps %+v: want the COPY with why context-changed", out.Build.Steps)
	}
	// --content: unified diffs of the changed text files, none for binaries
	var withContent struct {
		Image struct {
			Files []struct {
				Path string `json:"path"`
				Diff string `json:"diff"`
			} `json:"files"`
		} `json:"image"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "compare", "--json", "--content", "build:last~1", "build:last").stdout), &withContent); err != nil {
		t.Fatal(err)
	}
	diffs := map[string]string{}
	for _, f := range withContent.Image.Files {
		diffs[f.Path] = f.Diff
	}
	if d := diffs["/etc/app/a.conf"]; !strings.Contains(d, "-a=1\n") || !strings.Contains(d, "+a=2, longer\n") {
		t.Errorf("a.conf diff %q", d)
	}
	if d := diffs["/data.bin"]; d != "" {
		t.Errorf("a binary file got a text diff: %q", d)
	}
	// --fail-on: B grew by far more than 1%; a bad rule is refused first
	r := e.run(t, nil, "compare", "--fail-on", "size-increase=2KB", "build:last~1", "build:last")
	if r.code != 1 || !strings.Contains(r.stderr, "compare failed: size-increase=2KB: B is") {
		t.Errorf("size rule: exit %d, stderr %q", r.code, r.stderr)
	}
	if r = e.run(t, nil, "compare", "--fail-on", "size-increase=100%", "build:last~1", "build:last"); r.code != 0 {
		t.Errorf("a rule that holds: exit %d, stderr %q", r.code, r.stderr)
	}
	if r = e.run(t, nil, "compare", "--fail-on", "bigger", "build:last~1", "build:last"); r.code == 0 || !strings.Contains(r.stderr, `--fail-on "bigger": unknown rule`) {
		t.Errorf("bad rule: exit %d, stderr %q", r.code, r.stderr)
	}

	// the same inputs built again without the cache: new timestamps, same content
	if _, r := e.build(t, "--builder", "embedded", "--no-cache", dir); r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	var sem compareOut
	// no arguments: the last two builds of the working directory
	if err := json.Unmarshal([]byte(runIn(t, e, dir, "compare", "--json", "--semantic")), &sem); err != nil {
		t.Fatal(err)
	}
	if !sem.Image.Same || len(sem.Image.Files) != 0 || len(sem.Image.Config) != 0 {
		t.Errorf("--semantic on a rebuild of the same inputs: same %v, files %+v, config %+v", sem.Image.Same, sem.Image.Files, sem.Image.Config)
	}
	runIn(t, e, dir, "compare", "--fail-on", "files-added", "--fail-on", "any", "--semantic")
}

// readRecord reads a build record of e by ID.
func readRecord(t *testing.T, e *env, id string) *struct {
	Result struct{ Path, Ref string } `json:"result"`
} {
	t.Helper()
	var rec struct {
		Result struct{ Path, Ref string } `json:"result"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "show", "--json", id).stdout), &rec); err != nil {
		t.Fatal(err)
	}
	return &rec
}

// runIn runs buildscope in e with working directory dir; it must succeed.
func runIn(t *testing.T, e *env, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir, cmd.Env = dir, e.vars
	out, err := cmd.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("buildscope %v in %s: %v\n%s", args, dir, err, stderr)
	}
	return string(out)
}

// twoChangedBuilds builds a Dockerfile, changes it (a new, a removed and
// a changed file in a shared directory, an ENV change, a larger layer)
// and builds it again, in dir.
func twoChangedBuilds(t *testing.T, e *env) (dir string, a, b *model.Build) {
	t.Helper()
	dir = t.TempDir()
	nonce := history.NewID()
	df := "FROM 127.0.0.1:5015/buildscope/busybox\nENV MODE=%s\nCOPY etc/ /etc/app/\nRUN head -c %d /dev/zero > /data.bin && echo " + nonce + "\n"
	write := func(name, body string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile", strings.Replace(strings.Replace(df, "%s", "one", 1), "%d", "1000", 1))
	write("etc/a.conf", "a=1\n")
	write("etc/b.conf", "b=1\n")
	// the same in A and B, so no difference: the COPY of each is this
	// test's own, never a hit on another test's or an earlier run's COPY
	// on the shared builder
	write("etc/nonce", nonce+"\n")
	a, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("build A: %s", lastLines(r.stderr, 10))
	}
	write("Dockerfile", strings.Replace(strings.Replace(df, "%s", "two", 1), "%d", "5000", 1))
	write("etc/a.conf", "a=2, longer\n")
	os.Remove(filepath.Join(dir, "etc/b.conf"))
	write("etc/c.conf", "c=1\n")
	b, r = e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("build B: %s", lastLines(r.stderr, 10))
	}
	return dir, a, b
}

// compare on a terminal opens the interactive view on two real builds:
// the steps with why B ran them, the tree of changed files; enter on a
// changed file shows the step that wrote it on each side and its content
// diff, read from the images; q exits 0 and restores the screen.
func TestCompareTUIUnderTmux(t *testing.T) {
	e := newEnv(t) // its history is its own; the RUN's nonce makes B's steps its own too
	_, a, b := twoChangedBuilds(t, e)
	envs := e.shellVars(false)
	shell := fmt.Sprintf("env %s %s compare build:%s build:%s; echo EXIT=$?; sleep 60", envs, binPath, a.ID, b.ID)
	capture, send := tmuxSession(t, 120, 40, shell)
	s := waitScreen(t, capture, "Files that differ: 4", 60*time.Second)
	for _, want := range []string{"build:" + a.ID + " → build:" + b.ID, "config Env: -MODE=one +MODE=two", "COPY etc/ /etc/app/  context-changed",
		"data.bin (content, size)", "▸ etc/ (3)"} {
		if !strings.Contains(s, want) {
			t.Errorf("compare view lacks %q:\n%s", want, s)
		}
	}
	// the RUN B ran with its reason (the ENV above it and its own text changed)
	if !regexp.MustCompile(`absent +ran [0-9.]+s +RUN head -c 5000 .* (env|instruction)-changed`).MatchString(s) {
		t.Errorf("the step only B ran lacks why:\n%s", s)
	}
	send("Down", "Enter", "Down", "Enter", "Down", "Enter") // etc/, app/, a.conf
	s = waitScreen(t, capture, "+a=2, longer", 30*time.Second)
	for _, want := range []string{"C /etc/app/a.conf (content, size)", "A: 4B · layer 1 · COPY etc/ /etc/app/", "-a=1"} {
		if !strings.Contains(s, want) {
			t.Errorf("file details lack %q:\n%s", want, s)
		}
	}
	send("q")
	if s := waitScreen(t, capture, "EXIT=", 20*time.Second); !strings.Contains(s, "EXIT=0") || strings.Contains(s, "Files that differ") {
		t.Errorf("after q:\n%s", s)
	}
}
