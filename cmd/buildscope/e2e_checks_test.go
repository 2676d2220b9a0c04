package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// BuildKit's own Dockerfile checks run with every build: each warning is
// kept with the line it names, and history show prints it there; a
// secret passed through ARG is flagged.
func TestBuildKitChecksAtTheirLines(t *testing.T) {
	e := newColdEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox as builder\nARG DB_PASSWORD=hunter2\nRUN echo hi > /x\n")
	b, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	found := map[string]int{}
	for _, w := range b.Warnings {
		for _, rule := range []string{"FromAsCasing", "SecretsUsedInArgOrEnv"} {
			if strings.HasPrefix(w.Short, rule+":") {
				found[rule] = w.Line
			}
		}
	}
	if found["FromAsCasing"] != 1 || found["SecretsUsedInArgOrEnv"] != 2 {
		t.Errorf("warnings %+v, want FromAsCasing at line 1 and SecretsUsedInArgOrEnv at line 2", b.Warnings)
	}
	if b.ChecksUnavailable != "" || strings.Contains(r.stderr, "checks not available") {
		t.Errorf("the embedded builder ran the checks, yet: %q\n%s", b.ChecksUnavailable, lastLines(r.stderr, 3))
	}
	if show := e.mustRun(t, "history", "show", "last").stdout; !strings.Contains(show, "warning: line 2: SecretsUsedInArgOrEnv:") {
		t.Errorf("history show:\n%s", show)
	}
}

// The checks cover every stage, as docker buildx build --check does: the
// frontend's lint subrequest runs with the build, and finds what breaks
// the rules in a stage the build does not reach (a build alone reports
// only the stages it builds).
func TestBuildKitChecksUnreachedStage(t *testing.T) {
	e := newColdEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox AS unused\nENV A b\nWORKDIR rel\nFROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+history.NewID()+" > /x\n")
	b, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	got := map[string]int{}
	for _, w := range b.Warnings {
		rule, _, _ := strings.Cut(w.Short, ":")
		got[rule] = w.Line
	}
	if len(b.Warnings) != 2 || got["LegacyKeyValueFormat"] != 2 || got["WorkdirRelativePath"] != 3 {
		t.Errorf("warnings %+v, want LegacyKeyValueFormat at line 2 and WorkdirRelativePath at line 3, once each", b.Warnings)
	}
	// the lint is no build of the builder's history
	var hist struct {
		Builder []struct{ Ref string } `json:"builder"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--builder", "embedded", "--json").stdout), &hist); err != nil {
		t.Fatal(err)
	}
	if len(hist.Builder) != 1 {
		t.Errorf("the builder's history holds %d builds, want the one build: %+v", len(hist.Builder), hist.Builder)
	}
}

// The Docker engine 20.10's BuildKit has no linter in its Dockerfile
// frontend: a Dockerfile that breaks two rules gets no warnings there, and
// the record, the build's output and history show say the checks are not
// available on this builder rather than showing none.
func TestBuildKitChecksUnavailableOnEngine(t *testing.T) {
	requireDocker(t)
	if out, err := execOutput("docker", "version", "--format", "{{.Server.Version}}"); err != nil || !strings.HasPrefix(strings.TrimSpace(out), "20.10.") {
		t.Skipf("the engine is %q (%v), not 20.10, whose BuildKit has no checks", strings.TrimSpace(out), err)
	}
	e := newEnv(t)
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox as builder\nARG DB_PASSWORD=hunter2\nRUN echo "+history.NewID()+" > /x\n")
	b, r := e.build(t, "--builder", "docker", dir)
	if r.code != 0 {
		t.Fatal(lastLines(r.stderr, 10))
	}
	for _, w := range b.Warnings {
		if strings.HasPrefix(w.Short, "FromAsCasing:") || strings.HasPrefix(w.Short, "SecretsUsedInArgOrEnv:") {
			t.Errorf("the engine's frontend warned %+v: it has checks after all", w)
		}
	}
	const want = "checks not available on this builder: its BuildKit is older than 0.11"
	if !strings.HasPrefix("checks not available on this builder: "+b.ChecksUnavailable, want) {
		t.Errorf("record's checks_unavailable %q, want it to say %q", b.ChecksUnavailable, want)
	}
	if n := strings.Count(r.stderr, "buildscope: "+want); n != 1 {
		t.Errorf("the build's output says %d times that the checks did not run:\n%s", n, lastLines(r.stderr, 5))
	}
	if show := e.mustRun(t, "history", "show", b.ID).stdout; !strings.Contains(show, want) {
		t.Errorf("history show does not say the checks did not run:\n%s", show)
	}
}

// checkCases trigger each rule of the Dockerfile frontend's linter
// (frontend/dockerfile/linter/ruleset.go of the BuildKit in go.mod) with a
// small Dockerfile that builds ({B} is the base image), and name the
// line the warning must be at.
var checkCases = []struct {
	rule       string
	dockerfile string
	line       int
	args       []string          // build flags
	files      map[string]string // context files beside the Dockerfile
}{
	{rule: "StageNameCasing", dockerfile: "FROM {B} AS Builder\n", line: 1},
	{rule: "FromAsCasing", dockerfile: "FROM {B} as builder\n", line: 1},
	{rule: "NoEmptyContinuation", dockerfile: "FROM {B}\nRUN echo a \\\n\n  && echo b\n", line: 4},
	{rule: "ConsistentInstructionCasing", dockerfile: "FROM {B}\nRUN echo a\nrun echo b\nRUN echo c\n", line: 3},
	{rule: "DuplicateStageName", dockerfile: "FROM {B} AS one\nRUN echo a\nFROM {B} AS one\nRUN echo b\n", line: 3},
	{rule: "ReservedStageName", dockerfile: "FROM {B} AS context\nRUN echo a\n", line: 1},
	{rule: "JSONArgsRecommended", dockerfile: "FROM {B}\nCMD echo hi\n", line: 2},
	{rule: "MaintainerDeprecated", dockerfile: "FROM {B}\nMAINTAINER someone@example.com\n", line: 2},
	{rule: "UndefinedArgInFrom", dockerfile: "FROM {B}${SUFFIX}\n", line: 1},
	{rule: "WorkdirRelativePath", dockerfile: "FROM {B}\nWORKDIR app\n", line: 2},
	{rule: "UndefinedVar", dockerfile: "FROM {B}\nENV PATH2=$NOT_DEFINED_ANYWHERE\n", line: 2},
	{rule: "MultipleInstructionsDisallowed", dockerfile: "FROM {B}\nCMD [\"a\"]\nCMD [\"b\"]\n", line: 2},
	{rule: "LegacyKeyValueFormat", dockerfile: "FROM {B}\nENV A b\n", line: 2},
	{rule: "InvalidBaseImagePlatform", dockerfile: "FROM --platform=linux/arm64 {B} AS arm64\n", line: 1},
	{rule: "RedundantTargetPlatform", dockerfile: "FROM --platform=$TARGETPLATFORM {B}\n", line: 1},
	{rule: "SecretsUsedInArgOrEnv", dockerfile: "FROM {B}\nARG DB_PASSWORD\n", line: 2},
	{rule: "InvalidDefaultArgInFrom", dockerfile: "ARG IMAGE\nFROM $IMAGE\n", line: 2, args: []string{"--build-arg", "IMAGE=" + baseAddr + "/buildscope/busybox"}},
	{rule: "FromPlatformFlagConstDisallowed", dockerfile: "FROM --platform=linux/amd64 {B} AS app\n", line: 1},
	{rule: "CopyIgnoredFile", dockerfile: "FROM {B}\nCOPY *.log /logs/\n", line: 2, files: map[string]string{".dockerignore": "*.log\n", "a.log": "x\n"}},
	{rule: "InvalidDefinitionDescription", dockerfile: "# check=experimental=InvalidDefinitionDescription\nFROM {B}\n# a comment about nothing\nARG foo=bar\n", line: 4},
	{rule: "ExposeProtoCasing", dockerfile: "FROM {B}\nEXPOSE 80/TCP\n", line: 2},
	{rule: "ExposeInvalidFormat", dockerfile: "FROM {B}\nEXPOSE 8080:80\n", line: 2},
}

// Each rule the vendored frontend has, triggered by a Dockerfile of its
// own on the embedded builder: the record keeps the warning at the line
// the rule names, and history show prints it there.
func TestBuildKitCheckRules(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range checkCases {
		covered[tc.rule] = true
	}
	for _, rule := range frontendRules(t) {
		if !covered[rule] {
			t.Errorf("the frontend's rule %s has no case here", rule)
		}
	}
	e := newEnv(t) // each case's warnings are its own build's; nothing reads the builder's history or cache
	base := baseAddr + "/buildscope/busybox"
	for _, tc := range checkCases {
		t.Run(tc.rule, func(t *testing.T) {
			// each case with a state of its own, one after another in
			// the test's slot (as parallel subtests they queued behind
			// every waiting test and were the run's tail)
			e := newEnvIn(t.TempDir(), e)
			dir := flagDir(t, strings.ReplaceAll(tc.dockerfile, "{B}", base))
			for name, data := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, r := e.build(t, append(append([]string{"--builder", "embedded"}, tc.args...), dir)...)
			if r.code != 0 {
				t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
			}
			var at []model.Warning
			for _, w := range b.Warnings {
				if strings.HasPrefix(w.Short, tc.rule+":") {
					at = append(at, w)
				}
			}
			if len(at) != 1 || at[0].Line != tc.line {
				t.Fatalf("%s warnings %+v, want one at line %d; all: %+v", tc.rule, at, tc.line, b.Warnings)
			}
			want := fmt.Sprintf("warning: line %d: %s:", tc.line, tc.rule)
			if show := e.mustRun(t, "history", "show", b.ID).stdout; !strings.Contains(show, want) {
				t.Errorf("history show has no %q:\n%s", want, show)
			}
		})
	}
}

// frontendRules are the rule names of the linter of the BuildKit module in
// go.mod, read from its source.
func frontendRules(t *testing.T) []string {
	t.Helper()
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/moby/buildkit").Output()
	if err != nil {
		t.Fatalf("locating the BuildKit module: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "frontend", "dockerfile", "linter", "ruleset.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^\s+Name:\s+"(\w+)",`).FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		t.Fatal("ruleset.go names no rule")
	}
	return out
}
