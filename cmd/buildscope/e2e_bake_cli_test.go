package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// --print writes the definition docker buildx bake --print writes, overrides
// applied: buildx itself (built from the module proxy) is the oracle.
func TestBakePrintMatchesBuildx(t *testing.T) {
	shared := newEnv(t)
	dir := copyDir(t, "../../assets/examples/bake")
	cfg := buildxConfig(t)
	// a JSON bake file: the HCL's definition as --print writes it
	def := shared.runIn(t, dir, nil, "bake", "--print", "-f", "docker-bake.hcl")
	if def.code != 0 {
		t.Fatalf("bake --print exited %d: %s", def.code, def.stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-bake.json"), []byte(def.stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{"docker-bake.hcl", "compose.yaml", "docker-bake.json"} {
		args := []string{"bake", "--print", "-f", file, "--set", "api.args.VERSION=3", "--set", "*.platform=linux/amd64"}
		ours := shared.runIn(t, dir, []string{"BASE=example/base:1"}, args...)
		if ours.code != 0 {
			t.Fatalf("bake --print -f %s exited %d: %s", file, ours.code, ours.stderr)
		}
		fromEnv := file == "docker-bake.json" || strings.Contains(ours.stdout, `"BASE": "example/base:1"`) // the JSON has the value, not the variable
		if !strings.Contains(ours.stdout, `"VERSION": "3"`) || !fromEnv {
			t.Errorf("%s: override or environment variable missing:\n%s", file, ours.stdout)
		}
		cmd := dockerCmd(cfg, append([]string{"buildx"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(cmd.Env, "BASE=example/base:1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		theirs, err := cmd.Output()
		if err != nil {
			t.Fatalf("docker buildx bake --print -f %s: %v\n%s", file, err, stderr.String())
		}
		if ours.stdout != string(theirs) {
			t.Errorf("bake --print -f %s differs from buildx's:\nours:\n%s\nbuildx:\n%s", file, ours.stdout, theirs)
		}
	}
}

// bake on a terminal: the live graph draws the base stage once, with an
// edge to each target's stage, and a node per target; q exits 0 and each
// target's summary follows.
func TestBakeUnderTmux(t *testing.T) {
	shared := newEnv(t)
	dir := copyDir(t, "../../assets/examples/bake")
	envs := shared.shellVars(true)
	shell := fmt.Sprintf("cd %s && env TERM=xterm-256color %s %s bake --builder embedded -f docker-bake.hcl; echo EXIT=$?; sleep 60", dir, envs, binPath)
	capture, send := tmuxSession(t, 110, 30, shell)
	s := waitScreen(t, capture, "done in", 90*time.Second)
	if strings.Count(s, " base ") != 1 || !strings.Contains(s, "├─┐") || !strings.Contains(s, "target api") || !strings.Contains(s, "target worker") {
		t.Errorf("graph: want base once, split to api and worker, a node per target:\n%s", s)
	}
	send("q")
	s = waitScreen(t, capture, "EXIT=", 20*time.Second)
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "api: build ") || !strings.Contains(s, "worker: build ") {
		t.Errorf("after the UI:\n%s", s)
	}
}

// What bake cannot do fails before a builder is contacted, in one line
// naming what to do.
func TestBakeErrors(t *testing.T) {
	shared := newEnv(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "inline.hcl"), []byte(`target "default" { dockerfile-inline = "FROM scratch" }`), 0o644)
	os.WriteFile(filepath.Join(dir, "app.hcl"), []byte(`target "app" {}`), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bake"}, "buildscope: no bake file here (docker-bake.hcl, docker-bake.json, compose.yaml, docker-compose.yml): name one with -f"},
		{[]string{"bake", "-f", "inline.hcl"}, "buildscope: bake target default: dockerfile-inline is not supported: put the Dockerfile in a file and name it with dockerfile"},
		{[]string{"bake", "-f", "app.hcl", "nope"}, "buildscope: reading bake targets: failed to find target nope"},
		{[]string{"bake", "-f", "app.hcl"}, "buildscope: the bake files have no default target or group: name one of app"},
		{[]string{"bake", "-f", "app.hcl", "--set", "app.nokey=1", "app"}, "buildscope: reading bake targets: unknown key: nokey"},
	} {
		r := shared.runIn(t, dir, nil, tc.args...)
		if r.code == 0 || strings.TrimSpace(r.stderr) != tc.want {
			t.Errorf("%v: exit %d, stderr %q\nwant %q", tc.args, r.code, r.stderr, tc.want)
		}
	}
}

// SIGINT during a bake stops every target: exit 130, and each target's
// record says canceled.
func TestBakeInterrupt(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	nonce := history.NewID() // the sleeping step is the test's own on the shared builder
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM 127.0.0.1:5015/buildscope/busybox AS base\n"+
		"RUN echo "+nonce+" && echo started-sleeping && sleep 60\nFROM base AS a\nRUN echo a\nFROM base AS b\nRUN echo b\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), []byte(`group "default" { targets = ["a", "b"] }
target "a" { target = "a" }
target "b" { target = "b" }
`), 0o644)
	cmd := exec.Command(binPath, "bake", "--builder", "embedded", "--progress", "plain")
	cmd.Dir, cmd.Env = dir, e.vars
	if code := interruptAt(t, cmd, "started-sleeping"); code != 130 {
		t.Errorf("exit %d, want 130", code)
	}
	var all []*model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--json").stdout), &all); err != nil {
		t.Fatal(err)
	}
	targets := map[string]string{}
	for _, b := range all {
		if b.Bake != nil {
			targets[b.Bake.Target] = b.Status
		}
	}
	if len(targets) != 2 || targets["a"] != model.StatusCanceled || targets["b"] != model.StatusCanceled {
		t.Errorf("records by target: %v, want a and b canceled", targets)
	}
}
