package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/model"
)

// The steps of assets/examples/multistage by "stage:line". Production's
// FROM is the same vertex as builder's and BuildKit reports it once.
var multistageSteps = []string{"builder:7", "builder:9", "builder:12", "builder:14", "builder:15", "builder:17", "builder:18",
	"production:24", "production:25", "production:26"}

// After editing src/lib.sh these steps come from the cache, the others run.
// FROM (builder:7) is left out: whether BuildKit reports a base image it
// already holds as cached differs between builders and runs.
var multistageCachedAfterEdit = map[string]bool{"builder:9": true, "builder:12": true, "builder:14": true,
	"builder:15": true, "production:24": true}

func checkMultistageRecord(t *testing.T, b *model.Build, builder string) {
	t.Helper()
	if b.Status != model.StatusOK || b.Error != "" {
		t.Fatalf("status %q error %q", b.Status, b.Error)
	}
	if b.Builder != builder {
		t.Errorf("builder %q, want %q", b.Builder, builder)
	}
	if len(b.Stages) != 2 || b.Stages[0].Name != "builder" || b.Stages[1].Name != "production" {
		t.Fatalf("stages %+v", b.Stages)
	}
	if len(b.Stages[0].DependsOn) != 0 || !reflect.DeepEqual(b.Stages[1].DependsOn, []string{"builder"}) {
		t.Errorf("depends_on: builder %v, production %v", b.Stages[0].DependsOn, b.Stages[1].DependsOn)
	}
	steps := stepsByLine(b)
	var got []string
	for k := range steps {
		got = append(got, k)
	}
	sort.Strings(got)
	want := append([]string(nil), multistageSteps...)
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	for k, st := range steps {
		if st.Digest == "" || st.Started == nil || st.Completed == nil || st.Instruction == "" {
			t.Errorf("%s: incomplete step %+v", k, st)
		}
	}
	if ins := steps["builder:17"].Instruction; ins != "COPY src/ ./src/" {
		t.Errorf("builder:17 instruction %q", ins)
	}
	if b.Image == nil || len(b.Image.Layers) < 2 || b.Image.SizeBytes <= 0 || b.Result == nil {
		t.Fatalf("image %+v result %+v", b.Image, b.Result)
	}
}

func TestEmbeddedBuildColdThenOneFileChange(t *testing.T) {
	e := newColdEnv(t) // a fresh embedded builder: its cache is cold
	dir := copyDir(t, "../../assets/examples/multistage")

	cold, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("cold build exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	checkMultistageRecord(t, cold, "embedded")
	for k, st := range stepsByLine(cold) {
		if st.Cached {
			t.Errorf("cold build: %s cached", k)
		}
	}
	if cold.Cache.StepsTotal != len(multistageSteps) || cold.Cache.StepsCached != 0 {
		t.Errorf("cache summary %+v", cold.Cache)
	}
	if !strings.Contains(r.stderr, "[builder 7/7] RUN") || !strings.Contains(r.stderr, "open it as build:"+cold.ID) {
		t.Errorf("plain progress or summary missing:\n%s", lastLines(r.stderr, 10))
	}

	// build:last opens: the record points at an image in the results layout
	if cold.Result.Kind != model.ResultOCILayout {
		t.Fatalf("result %+v", cold.Result)
	}
	img, err := results.LayoutImage(cold.Result.Path, cold.Result.Ref, "")
	if err != nil {
		t.Fatalf("opening build:%s: %v", cold.ID, err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != len(cold.Image.Layers) {
		t.Fatalf("image has %d layers (%v), record says %d", len(layers), err, len(cold.Image.Layers))
	}
	cf, err := img.ConfigFile()
	if err != nil || cf.Config.User != "greeter" {
		t.Errorf("image config user %q (%v)", cf.Config.User, err)
	}

	// edit one source file: the steps before COPY src/ stay cached
	if err := os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo \"hi, $1\"; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	warm, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("second build exited %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	checkMultistageRecord(t, warm, "embedded")
	for k, st := range stepsByLine(warm) {
		if k != "builder:7" && st.Cached != multistageCachedAfterEdit[k] {
			t.Errorf("after editing src/lib.sh: %s cached=%v, want %v", k, st.Cached, multistageCachedAfterEdit[k])
		}
	}

	// history: both builds, newest last; show equals the report; rm removes
	var list []*model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--json").stdout), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != cold.ID || list[1].ID != warm.ID {
		t.Fatalf("history ls: %d records", len(list))
	}
	shown := e.lastRecord(t)
	if !reflect.DeepEqual(&shown, warm) {
		t.Errorf("history show last differs from the report")
	}
	plain := e.mustRun(t, "history", "ls").stdout
	if !strings.Contains(plain, cold.ID) || !strings.Contains(plain, "5/10") {
		t.Errorf("history ls:\n%s", plain)
	}
	e.mustRun(t, "history", "rm", cold.ID)
	if r := e.run(t, nil, "history", "show", cold.ID); r.code == 0 || !strings.Contains(r.stderr, "no build") {
		t.Errorf("show after rm: exit %d %q", r.code, r.stderr)
	}

	// the builder's socket and state are its owner's only
	for _, p := range []string{filepath.Join(e.dir, "run", "buildscope"), filepath.Join(e.dir, "state", "buildscope", "buildkitd")} {
		fi, err := os.Stat(p)
		if err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v (%v), want 0700", p, fi.Mode().Perm(), err)
		}
	}
	fi, err := os.Stat(filepath.Join(e.dir, "run", "buildscope", "buildkitd.sock"))
	if err != nil || fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("socket mode %v (%v): readable by others", fi.Mode().Perm(), err)
	}
}

func TestGraphStagesOnEmbedded(t *testing.T) {
	// under --no-cache every step runs, and BuildKit merges a no-cache
	// vertex only with another build's no-cache one: no other test builds
	// testdata/graph, so its stages meet no other build's vertices
	shared := newEnv(t)
	b, r := shared.build(t, "--builder", "embedded", "--no-cache", "../../testdata/graph")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	var names []string
	for _, s := range b.Stages {
		names = append(names, s.Name)
	}
	if !reflect.DeepEqual(names, []string{"stage-0", "assets", "compile", "combine"}) {
		t.Fatalf("stages %v", names)
	}
	if deps := b.Stages[3].DependsOn; !reflect.DeepEqual(deps, []string{"stage-0", "assets", "compile"}) {
		t.Errorf("combine depends on %v", deps)
	}
	steps := stepsByLine(b)
	for _, k := range []string{"stage-0:7", "assets:10", "compile:13", "combine:17", "combine:18", "combine:19", "combine:20"} {
		st, ok := steps[k]
		if !ok {
			t.Errorf("no step %s in %v", k, steps)
			continue
		}
		if st.Cached {
			t.Errorf("%s cached under --no-cache", k)
		}
	}
	a, c := steps["assets:10"], steps["compile:13"]
	if a.Started != nil && c.Started != nil && !(a.Started.Before(*c.Completed) && c.Started.Before(*a.Completed)) {
		t.Errorf("assets and compile did not run in parallel: %v–%v, %v–%v", a.Started, a.Completed, c.Started, c.Completed)
	}
}

func TestTargetBuildsOnlyItsStages(t *testing.T) {
	shared := newEnv(t)
	b, r := shared.build(t, "--builder", "embedded", "--target", "builder", "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	if len(b.Stages) != 1 || b.Stages[0].Name != "builder" || b.Target != "builder" {
		t.Fatalf("stages %+v target %q", b.Stages, b.Target)
	}
}

func TestDockerEngineBuild(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	dir := copyDir(t, "../../assets/examples/multistage")
	// a fresh dependency manifest makes every step after COPY deps.txt run,
	// whatever the engine's cache already holds
	nonce := history.NewID()
	f, err := os.OpenFile(filepath.Join(dir, "deps.txt"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("# test " + nonce + "\n")
	f.Close()
	tag := "buildscope-e2e/greeter:" + nonce
	first, r := shared.build(t, "--builder", "docker", "-t", tag, dir)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	defer runDocker(t, "rmi", "-f", tag)
	checkMultistageRecord(t, first, "docker")
	// (production's COPY --from=builder is cached on content: /out is unchanged)
	for _, k := range []string{"builder:14", "builder:15", "builder:17", "builder:18"} {
		if stepsByLine(first)[k].Cached {
			t.Errorf("%s cached after changing deps.txt", k)
		}
	}
	if first.Result.Kind != model.ResultDocker {
		t.Fatalf("result %+v", first.Result)
	}
	// the engine's history does not flag empty layers: WORKDIR's 0-byte
	// layer must still pair with its own entry
	if ls := first.Image.Layers; len(ls) != 4 || ls[1].CreatedBy != "WORKDIR /app" || !strings.HasPrefix(ls[2].CreatedBy, "COPY /out/") {
		t.Errorf("layers paired with the wrong instructions: %+v", ls)
	}
	// -t puts the image in the engine's store, with the recorded ID
	id := strings.TrimSpace(runDocker(t, "image", "inspect", "--format", "{{.Id}}", tag))
	if id != first.Result.Ref || id != first.Image.Digest {
		t.Errorf("engine has %s for %s, record says %s / %s", id, tag, first.Result.Ref, first.Image.Digest)
	}

	if err := os.WriteFile(filepath.Join(dir, "src", "lib.sh"), []byte("greet() { echo \"hey, $1 "+nonce+"\"; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	second, r := shared.build(t, "--builder", "docker", dir)
	if r.code != 0 {
		t.Fatalf("exit %d:\n%s", r.code, lastLines(r.stderr, 20))
	}
	checkMultistageRecord(t, second, "docker")
	for k, st := range stepsByLine(second) {
		if k != "builder:7" && st.Cached != multistageCachedAfterEdit[k] {
			t.Errorf("after editing src/lib.sh: %s cached=%v, want %v", k, st.Cached, multistageCachedAfterEdit[k])
		}
	}
}

func runDocker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := execOutput("docker", args...)
	if err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, out)
	}
	return out
}
