package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// buildctlBin is buildctl of the BuildKit module in go.mod, as a
// "foreign" client of the builder: the one make static built
// (BUILDSCOPE_STATIC_BUILDKIT), else built here once for the package run.
// Each test linked its own before: 4.5 s of CPU thirteen times a run.
func buildctlBin(t *testing.T) string {
	t.Helper()
	buildctlOnce.Do(func() {
		if dir := os.Getenv("BUILDSCOPE_STATIC_BUILDKIT"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, "buildctl")); err == nil {
				buildctlPath = filepath.Join(dir, "buildctl")
				return
			}
		}
		bin := filepath.Join(tmpRoot, "buildctl")
		if out, err := exec.Command("go", "build", "-o", bin, "github.com/moby/buildkit/cmd/buildctl").CombinedOutput(); err != nil {
			buildctlErr = fmt.Errorf("building buildctl: %v\n%s", err, out)
			return
		}
		buildctlPath = bin
	})
	if buildctlErr != nil {
		t.Fatal(buildctlErr)
	}
	return buildctlPath
}

var (
	buildctlOnce sync.Once
	buildctlPath string
	buildctlErr  error
)

// history ls --builder lists the builder's own records: a build buildctl
// ran beside buildscope's, with who made each, status and steps; on the
// Docker engine (20.10, no history API) it says so in one line.
func TestHistoryListsTheBuildersOwnBuilds(t *testing.T) {
	requireDocker(t)
	// the shared builder: its history holds other tests' builds too, so
	// the test reads the rows of its own two builds, by their refs
	e := newEnv(t)
	dir := flagDir(t, "")
	own, r := e.build(t, "--builder", "embedded", dir)
	if r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	refFile := filepath.Join(t.TempDir(), "ref")
	ctl := exec.Command(buildctlBin(t), "--addr", "unix://"+builderSock(e), "build", "--frontend", "dockerfile.v0",
		"--local", "context="+dir, "--local", "dockerfile="+dir, "--opt", "build-arg:NONCE="+history.NewID(), "--ref-file", refFile)
	if out, err := ctl.CombinedOutput(); err != nil {
		t.Fatalf("buildctl: %v\n%s", err, out)
	}
	ctlRef := readFile(t, refFile)
	ours := map[string]string{"buildscope-" + own.ID: "buildscope", ctlRef: "other"} // ref: its maker
	var out struct {
		Buildscope []struct {
			ID    string             `json:"id"`
			Cache model.CacheSummary `json:"cache"`
		} `json:"buildscope"`
		Builder []struct {
			Ref    string              `json:"ref"`
			By     string              `json:"by"`
			Status string              `json:"status"`
			Total  int                 `json:"vertices_total"`
			Steps  *model.CacheSummary `json:"steps"`
		} `json:"builder"`
	}
	r = e.mustRun(t, "history", "ls", "--json", "--builder", "embedded")
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	by := map[string]int{}
	for _, b := range out.Builder {
		if ours[b.Ref] == "" {
			continue // another test's build
		}
		if b.By != ours[b.Ref] {
			t.Errorf("builder record %s made by %q, want %q", b.Ref, b.By, ours[b.Ref])
		}
		by[b.By]++
		if b.Status != "ok" || b.Total == 0 {
			t.Errorf("builder record %+v: want ok with its vertices", b)
		}
		// one definition of steps: the builder's record of buildscope's
		// build counts them as buildscope's own record does (BuildKit's
		// vertices are more: its FROM's metadata load, the context…);
		// buildctl's build, of which buildscope holds no record, has none
		switch {
		case b.By == "buildscope" && len(out.Buildscope) == 1 && (b.Steps == nil || *b.Steps != out.Buildscope[0].Cache):
			t.Errorf("the builder's record of buildscope's build counts steps %+v, buildscope's record %+v", b.Steps, out.Buildscope[0].Cache)
		case b.By == "other" && b.Steps != nil:
			t.Errorf("buildctl's build has steps %+v: buildscope holds no record of it to count them", b.Steps)
		}
	}
	if len(out.Buildscope) != 1 || by["buildscope"] != 1 || by["other"] != 1 {
		t.Errorf("buildscope's %d records; the builder's by maker %v: want buildscope's build and buildctl's", len(out.Buildscope), by)
	}
	plain := e.mustRun(t, "history", "ls", "--builder", "embedded").stdout
	ctlRow := ""
	for _, l := range strings.Split(plain, "\n") {
		if strings.HasPrefix(l, ctlRef+" ") {
			ctlRow = l
		}
	}
	if !strings.Contains(plain, "the embedded builder's own history:") || !lineWith(plain, ctlRef, "other") || !strings.Contains(ctlRow, " vtx") || !strings.Contains(plain, "vtx: BuildKit's count of vertices") {
		t.Errorf("plain history (buildctl's build %s: other, in vtx):\n%s", ctlRef, plain)
	}
	d := e.run(t, nil, "history", "ls", "--builder", "docker")
	if d.code != 0 || strings.Count(strings.TrimSpace(d.stderr), "\n") != 0 || !strings.Contains(d.stderr, "the docker builder keeps no build history") || strings.Count(d.stderr, "keeps no build history") != 1 {
		t.Errorf("engine: exit %d, stderr %q", d.code, d.stderr)
	}
}

// foreignBuild runs buildctl on the env's embedded builder with the
// Dockerfile frontend on dir (opts: frontend options, or buildctl flags
// starting with --) and returns the ref it made, which buildctl names
// (--ref-file) and the builder's history must list afterwards (listing
// it keeps its cache keys). On the shared builder other tests' builds
// are listed too.
func foreignBuild(t *testing.T, e *env, ctl, dir string, opts ...string) (string, error) {
	t.Helper()
	refFile := filepath.Join(t.TempDir(), "ref")
	args := []string{"--addr", "unix://" + builderSock(e), "build", "--frontend", "dockerfile.v0", "--local", "context=" + dir, "--local", "dockerfile=" + dir,
		"--ref-file", refFile}
	for _, o := range opts {
		if strings.HasPrefix(o, "--") {
			args = append(args, o) // a buildctl flag
		} else {
			args = append(args, "--opt", o)
		}
	}
	out, err := exec.Command(ctl, args...).CombinedOutput()
	if err != nil {
		err = fmt.Errorf("%w\n%s", err, lastLines(string(out), 5))
	}
	var ls struct {
		Builder []struct {
			Ref string `json:"ref"`
		} `json:"builder"`
	}
	data, rerr := os.ReadFile(refFile)
	if rerr != nil || len(data) == 0 {
		t.Fatalf("buildctl named no ref (%v): %v", rerr, err)
	}
	ref := string(data)
	r := e.mustRun(t, "history", "ls", "--json", "--builder", "embedded")
	listed := false
	jerr := json.Unmarshal([]byte(r.stdout), &ls)
	for _, b := range ls.Builder {
		listed = listed || b.Ref == ref
	}
	if jerr != nil || !listed {
		t.Fatalf("history ls does not list buildctl's build %s: %v\n%s", ref, jerr, r.stdout)
	}
	return ref, err
}

// foreignDockerfile is a two-stage Dockerfile with a COPY from the context.
const foreignDockerfile = "FROM 127.0.0.1:5015/buildscope/busybox AS prep\nARG NONCE\nCOPY a.txt /a.txt\nRUN cat /a.txt > /b.txt && echo $NONCE\n\n" +
	"FROM 127.0.0.1:5015/buildscope/busybox\nCOPY --from=prep /b.txt /b.txt\n"

// A buildctl build opened from the builder's history maps its steps to
// the same stages, instructions and lines as buildscope's build of the
// same Dockerfile, and keeps its cache hits.
func TestForeignRecordMapsStagesAndLines(t *testing.T) {
	// on the shared builder: the record of its build kept its FROM step
	// when another build ran the same FROM at once, unlabelled (it lost
	// it twice in 3 runs before fold filed such a FROM); the shape
	// compared here is exact
	e := newEnv(t)
	dir := flagDir(t, foreignDockerfile)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one "+history.NewID()+"\n"), 0o644)
	own, r := e.build(t, "--builder", "embedded", "--build-arg", "NONCE=n1", dir)
	if r.code != 0 {
		t.Fatalf("build exited %d:\n%s", r.code, lastLines(r.stderr, 10))
	}
	ref, err := foreignBuild(t, e, buildctlBin(t), dir, "build-arg:NONCE=n1")
	if err != nil {
		t.Fatalf("buildctl: %v", err)
	}
	var rec model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "show", ref, "--json", "--builder", "embedded").stdout), &rec); err != nil {
		t.Fatal(err)
	}
	shape := func(b *model.Build) string {
		var w strings.Builder
		for _, s := range b.Stages {
			fmt.Fprintf(&w, "stage %s deps %v\n", s.Name, s.DependsOn)
			for _, st := range s.Steps {
				fmt.Fprintf(&w, "  %d %s\n", st.Line, st.Instruction)
			}
		}
		return w.String()
	}
	if got, want := shape(&rec), shape(own); got != want {
		t.Errorf("buildctl's record:\n%s\nbuildscope's build of the same Dockerfile:\n%s", got, want)
	}
	if rec.Origin == nil || rec.Origin.By != "other" || rec.Origin.Missing != "" || rec.Status != model.StatusOK {
		t.Errorf("origin %+v, status %s", rec.Origin, rec.Status)
	}
	// buildscope's build ran first, so buildctl's steps came from the
	// cache it left (a FROM resolves its image again, cached or not)
	for _, s := range rec.Stages {
		for _, st := range s.Steps {
			if !st.Cached && !strings.HasPrefix(st.Instruction, "FROM ") {
				t.Errorf("step %q of buildctl's build is not marked cached", st.Instruction)
			}
		}
	}
	plain := e.mustRun(t, "history", "show", ref[:8], "--builder", "embedded").stdout
	if !strings.Contains(plain, "made by other") || !strings.Contains(plain, "COPY a.txt /a.txt") {
		t.Errorf("plain history show:\n%s", plain)
	}
}

// twoBuildctlBuilds starts e's embedded builder and builds the foreign
// Dockerfile on it twice with buildctl, a.txt changed between the two;
// it returns the second build's ref. The Dockerfile's name is the
// test's own: the previous build why finds for the second (the newest
// before it of the same Dockerfile name) is the first, also on a
// builder where other tests run buildctl.
func twoBuildctlBuilds(t *testing.T, e *env) string {
	t.Helper()
	e.mustRun(t, "builder", "start")
	ctl := buildctlBin(t)
	dir := t.TempDir()
	name := "Dockerfile." + history.NewID()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(foreignDockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	var ref string
	for i := 0; i < 2; i++ {
		os.WriteFile(filepath.Join(dir, "a.txt"), []byte(history.NewID()), 0o644)
		var err error
		if ref, err = foreignBuild(t, e, ctl, dir, "filename="+name); err != nil {
			t.Fatal(err)
		}
	}
	return ref
}

// why between two buildctl builds names the file whose content changed,
// with its old and new digests from the embedded builder's cache keys,
// and what ran after it as its cascade.
func TestForeignWhyNamesTheChangedSource(t *testing.T) {
	// its own builder: the first miss must be the COPY, and on the shared
	// builder the FROM missed too once, pulled by another build at once
	e := newColdEnv(t)
	ref := twoBuildctlBuilds(t, e)
	var ex why.Explanation
	r := e.mustRun(t, "why", ref, "--json", "--builder", "embedded")
	if err := json.Unmarshal([]byte(r.stdout), &ex); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if ex.Previous == "" || len(ex.Misses) == 0 {
		t.Fatalf("why: %s", r.stdout)
	}
	// on the embedded builder the keys of its key store, found through
	// the session the provenance drops, give the file's digests
	if ex.Source != why.SourceCacheKeys {
		t.Errorf("why between buildctl builds on the embedded builder rests on %q (%s), not its cache keys", ex.Source, ex.SourceNote)
	}
	if ch := ex.Misses[0].Detail.Changes; len(ch) != 1 || ch[0].Path != "a.txt" || ch[0].Old == "" || ch[0].Old == ch[0].New {
		t.Errorf("root cause's file digests %+v: want a.txt's old and new", ch)
	}
	root := ex.Misses[0]
	files := root.Detail.Files
	if root.Reason != why.ReasonContext || root.Line != 3 || len(files) != 1 || files[0] != "a.txt" {
		t.Errorf("root cause %+v: want context-changed a.txt at line 3", root)
	}
	for _, m := range ex.Misses[1:] {
		if m.Reason != why.ReasonParent {
			t.Errorf("cascade %+v: want parent-missed", m)
		}
	}
	if !strings.Contains(e.mustRun(t, "why", ref, "--builder", "embedded").stdout, "context-changed: a.txt") {
		t.Errorf("plain why lacks the file")
	}
}

// A record the builder kept no provenance for (a failed build) is shown
// with its steps and one line saying what it lacks; why says it cannot
// explain it, in one line.
func TestForeignRecordWithoutProvenanceSaysWhatIsMissing(t *testing.T) {
	e := newEnv(t) // it opens and removes its build by the ref buildctl names
	e.mustRun(t, "builder", "start")
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+history.NewID()+" && exit 3\n")
	ref, err := foreignBuild(t, e, buildctlBin(t), dir)
	if err == nil {
		t.Fatal("the failing build succeeded")
	}
	plain := e.mustRun(t, "history", "show", ref, "--builder", "embedded").stdout
	for _, want := range []string{"error", "lacks      provenance: the builder kept none", "exit 3"} {
		if !strings.Contains(plain, want) {
			t.Errorf("history show lacks %q:\n%s", want, plain)
		}
	}
	w := e.run(t, nil, "why", ref, "--builder", "embedded")
	if w.code != 1 || strings.Count(strings.TrimSpace(w.stderr), "\n") != 0 || !strings.Contains(w.stderr, "cannot be explained: its record lacks provenance") {
		t.Errorf("why: exit %d, stderr %q", w.code, w.stderr)
	}
	// rm says which history it removes from
	if rm := e.mustRun(t, "history", "rm", ref, "--builder", "embedded").stdout; rm != "removed "+ref+" from the embedded builder's history\n" {
		t.Errorf("history rm: %q", rm)
	}
	if r := e.run(t, nil, "history", "show", ref, "--builder", "embedded"); r.code == 0 {
		t.Errorf("the removed record still shows:\n%s", r.stdout)
	}
}

// A remote builder on a loopback TCP address with mutual TLS: a buildctl
// build there is listed by history ls --builder with its status and
// opened by history show, its stages and lines read over TLS.
func TestForeignRecordOverTCPWithTLS(t *testing.T) {
	e, addr, tls := startTLSBuilder(t)
	ctx := flagDir(t, foreignDockerfile)
	os.WriteFile(filepath.Join(ctx, "a.txt"), []byte(history.NewID()), 0o644)
	ctl := exec.Command(buildctlBin(t), append(append([]string{"--addr", addr}, tls...), "build", "--frontend", "dockerfile.v0",
		"--local", "context="+ctx, "--local", "dockerfile="+ctx)...)
	if out, err := ctl.CombinedOutput(); err != nil {
		t.Fatalf("buildctl over TLS: %v\n%s", err, out)
	}
	var ls struct {
		Builder []struct {
			Ref    string `json:"ref"`
			By     string `json:"by"`
			Status string `json:"status"`
		} `json:"builder"`
	}
	r := e.mustRun(t, append([]string{"history", "ls", "--json", "--builder", addr}, tls...)...)
	if err := json.Unmarshal([]byte(r.stdout), &ls); err != nil || len(ls.Builder) != 1 || ls.Builder[0].By != "other" || ls.Builder[0].Status != "ok" {
		t.Fatalf("history ls over TLS: %v\n%s", err, r.stdout)
	}
	var rec model.Build
	show := e.mustRun(t, append([]string{"history", "show", "--json", ls.Builder[0].Ref, "--builder", addr}, tls...)...)
	if err := json.Unmarshal([]byte(show.stdout), &rec); err != nil {
		t.Fatal(err)
	}
	if len(rec.Stages) != 2 || rec.Stages[0].Name != "prep" || rec.Builder != addr || rec.Origin == nil || rec.Origin.Missing != "" {
		t.Errorf("the record over TLS: builder %s, origin %+v, stages %+v", rec.Builder, rec.Origin, rec.Stages)
	}
}

// history import REF --builder copies buildctl's build with the image it
// exported into buildscope's history: inspect build:REF opens the image
// without the builder (stopped first), its layers the Dockerfile's.
func TestForeignImportFromBuilderKeepsItsImage(t *testing.T) {
	e := newColdEnv(t) // lifecycle: it stops the builder
	e.mustRun(t, "builder", "start")
	dir := flagDir(t, foreignDockerfile)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(history.NewID()), 0o644)
	ref, err := foreignBuild(t, e, buildctlBin(t), dir, "--output=type=image,name=foreign.test/app:1")
	if err != nil {
		t.Fatal(err)
	}
	if out := e.mustRun(t, "history", "import", ref[:10], "--builder", "embedded").stdout; !strings.Contains(out, "imported "+ref) {
		t.Errorf("import: %q", out)
	}
	e.mustRun(t, "builder", "stop")
	var rep struct {
		Layers []struct {
			CreatedBy string `json:"created_by"`
			Added     int    `json:"added"`
		} `json:"layers"`
	}
	r := e.mustRun(t, "inspect", "--json", "build:"+ref)
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Layers) != 2 || !strings.Contains(rep.Layers[1].CreatedBy, "COPY /b.txt /b.txt") || rep.Layers[1].Added != 1 {
		t.Errorf("inspect of the imported build: %+v", rep.Layers)
	}
}

// inspect, compare and stages open build:REF of the builder's own history
// with --builder, as they open buildscope's: the first copies the record
// and its image in (saying so on stderr), and then it opens without the
// builder. Without --builder, the error says how to reach it.
func TestForeignOpenedByRefWithBuilder(t *testing.T) {
	e := newColdEnv(t) // lifecycle: it stops the builder
	e.mustRun(t, "builder", "start")
	dir := flagDir(t, foreignDockerfile)
	ctl := buildctlBin(t)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(history.NewID()), 0o644)
	a, err := foreignBuild(t, e, ctl, dir, "--output=type=image,name=foreign.test/app:1")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(history.NewID()+"more"), 0o644)
	b, err := foreignBuild(t, e, ctl, dir, "--output=type=image,name=foreign.test/app:2")
	if err != nil {
		t.Fatal(err)
	}
	if r := e.run(t, nil, "inspect", "--json", "build:"+a); r.code == 0 || !strings.Contains(r.stderr, "opens with --builder ADDR") {
		t.Errorf("inspect of a builder's build without --builder: exit %d, %q", r.code, r.stderr)
	}
	r := e.mustRun(t, "inspect", "--json", "--builder", "embedded", "build:"+a)
	var rep struct {
		Layers []struct {
			CreatedBy string `json:"created_by"`
		} `json:"layers"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Layers) != 2 || !strings.Contains(rep.Layers[1].CreatedBy, "COPY /b.txt /b.txt") {
		t.Errorf("inspect --builder of buildctl's build: %v %+v", err, rep.Layers)
	}
	if !strings.Contains(r.stderr, "imported "+a) {
		t.Errorf("inspect did not say it copied the build in: %q", r.stderr)
	}
	var cmp struct {
		Image struct {
			Files []struct {
				Path string   `json:"path"`
				Size [2]int64 `json:"size_bytes"`
			} `json:"files"`
		} `json:"image"`
	}
	r = e.mustRun(t, "compare", "--json", "--builder", "embedded", "build:"+a, "build:"+b[:12])
	if err := json.Unmarshal([]byte(r.stdout), &cmp); err != nil || len(cmp.Image.Files) != 1 || cmp.Image.Files[0].Path != "/b.txt" || cmp.Image.Files[0].Size[1]-cmp.Image.Files[0].Size[0] != 4 {
		t.Errorf("compare of two buildctl builds (%v): %+v", err, cmp)
	}
	if !strings.Contains(r.stderr, "imported "+b) || strings.Contains(r.stderr, "imported "+a) {
		t.Errorf("compare copies in only the build not yet copied: %q", r.stderr)
	}
	if r := e.run(t, nil, "stages", "--builder", "embedded", "build:"+a); r.code == 0 || !strings.Contains(r.stderr, "its context is not known") {
		t.Errorf("stages of a builder's build: exit %d, %q", r.code, r.stderr)
	}
	e.mustRun(t, "builder", "stop")
	if r := e.mustRun(t, "inspect", "--json", "build:"+b); !strings.Contains(r.stdout, "COPY /b.txt") {
		t.Errorf("inspect of the copied build without the builder: %s", r.stdout)
	}
}

// Step names of a build another client made are text from outside: one
// holds escape sequences (an OSC retitling the window) and, through a
// build arg, a newline and a screen clear. history show prints them
// escaped as ls -b does and keeps every step (the one with a newline fell
// out of its stage); its JSON keeps them exact.
func TestForeignRecordNamesEscaped(t *testing.T) {
	e := newEnv(t) // it opens its build by the ref buildctl names
	e.mustRun(t, "builder", "start")
	const osc, clear = "\x1b]0;pwned\x07", "\x1b[2J"
	dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nARG X\nRUN echo $X > /x\nRUN echo '"+osc+"' > /y\n")
	nonce := history.NewID()
	ref, err := foreignBuild(t, e, buildctlBin(t), dir, "build-arg:X="+nonce+"\nb"+clear)
	if err != nil {
		t.Fatalf("buildctl: %v", err)
	}
	var rec model.Build
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "show", ref, "--json", "--builder", "embedded").stdout), &rec); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range rec.Stages {
		for _, st := range s.Steps {
			got = append(got, fmt.Sprintf("%d %s", st.Line, st.Instruction))
		}
	}
	// BuildKit names a step by its line with the args expanded (a FROM by
	// its resolved image, left out here)
	want := []string{"3 RUN echo " + nonce + "\nb" + clear + " > /x", "4 RUN echo '" + osc + "' > /y"}
	if len(got) != 3 || !strings.HasPrefix(got[0], "1 FROM ") || strings.Join(got[1:], "|") != strings.Join(want, "|") {
		t.Errorf("steps in JSON %q, want a FROM and exactly %q", got, want)
	}
	plain := e.mustRun(t, "history", "show", ref, "--builder", "embedded").stdout
	if strings.ContainsAny(plain, "\x1b\x07") {
		t.Errorf("history show printed an escape sequence raw:\n%q", plain)
	}
	for _, w := range []string{`RUN echo ` + nonce + `\nb\e[2J > /x`, `RUN echo '\e]0;pwned\x07' > /y`} {
		if !strings.Contains(plain, w) {
			t.Errorf("history show lacks %q:\n%s", w, plain)
		}
	}
	for _, line := range strings.Split(plain, "\n") {
		if strings.HasPrefix(line, "b"+clear) || strings.HasPrefix(line, `b\e[2J`) {
			t.Errorf("a forged line %q:\n%s", line, plain)
		}
	}
	if ls := e.mustRun(t, "history", "ls", "--builder", "embedded").stdout; strings.ContainsAny(ls, "\x1b\x07") {
		t.Errorf("history ls printed an escape sequence raw:\n%q", ls)
	}
}
