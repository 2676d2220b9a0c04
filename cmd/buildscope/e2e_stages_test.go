package main

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// exampleSrcBytes is what the builder stage of the examples keeps in /src
// and the production image lacks: vendored packages (deps.txt: 512+256+1024
// KiB), two 2 MB object files and the manifest. The sources are not left
// behind: production ships them (as /app/greeter and /app/lib.sh).
func exampleSrcBytes(t *testing.T, dir string) int64 {
	n := int64((512+256+1024)*1024 + 2*2000000)
	for _, f := range []string{"deps.txt"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}

func stagesJSON(t *testing.T, shared *env, builder string) *compare.StageReport {
	t.Helper()
	r := shared.run(t, nil, "stages", "--builder", builder, "--json",
		"--compare", "../../assets/examples/singlestage/Dockerfile", "../../assets/examples/multistage")
	if r.code != 0 {
		t.Fatalf("stages exited %d: %s", r.code, lastLines(r.stderr, 10))
	}
	var rep compare.StageReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stages --json: %v\n%s", err, r.stdout)
	}
	return &rep
}

func checkStageReport(t *testing.T, rep *compare.StageReport) {
	t.Helper()
	if len(rep.Stages) != 2 || rep.Stages[0].Name != "builder" || rep.Stages[1].Name != "production" ||
		rep.Stages[0].Final || !rep.Stages[1].Final || rep.Final.Name != "production" {
		t.Fatalf("stages %+v final %+v", rep.Stages, rep.Final)
	}
	want := []compare.PathSize{
		{Path: "/opt", SizeBytes: 20000000, Stage: "builder"},
		{Path: "/src", SizeBytes: exampleSrcBytes(t, "../../assets/examples/multistage"), Stage: "builder"},
	}
	if len(rep.LeftBehind) != 2 || rep.LeftBehind[0] != want[0] || rep.LeftBehind[1] != want[1] {
		t.Errorf("left behind %+v, want %+v", rep.LeftBehind, want)
	}
	ss := rep.SingleStage
	if ss == nil || ss.Stage != "builder" || ss.SizeBytes != rep.Stages[0].SizeBytes || ss.FinalBytes != rep.Final.SizeBytes || ss.Ratio >= 0.2 {
		t.Errorf("single-stage comparison %+v", ss)
	}
	if c := rep.Compare; c == nil || len(c.Stages) != 1 || !c.Stages[0].Final || c.Final.SizeBytes < rep.Stages[0].SizeBytes {
		t.Errorf("compare report %+v: the single-stage image holds at least the builder stage", c)
	}
}

func TestStagesEmbedded(t *testing.T) {
	shared := newEnv(t)
	rep := stagesJSON(t, shared, "embedded")
	checkStageReport(t, rep)
	// sizes agree with the exported images: compressed with the manifests
	// go-containerregistry reads, the content with what docker image ls
	// counts in each blob (gzip -dc: its regular files' bytes and its
	// symlinks' targets)
	for _, s := range append(rep.Stages, rep.Compare.Stages...) {
		var b model.Build
		json.Unmarshal([]byte(shared.mustRun(t, "history", "show", s.BuildID, "--json").stdout), &b)
		img, err := results.LayoutImage(b.Result.Path, b.Result.Ref, "")
		if err != nil {
			t.Fatal(err)
		}
		layers, _ := img.Layers()
		var comp, uncomp int64
		tarFile := filepath.Join(t.TempDir(), "layer.tar")
		for _, l := range layers {
			n, _ := l.Size()
			comp += n
			d, _ := l.Digest()
			out, err := exec.Command("sh", "-c", "gzip -dc "+filepath.Join(b.Result.Path, "blobs", "sha256", d.Hex)+" > "+tarFile).Output()
			if err != nil {
				t.Fatal(err, string(out))
			}
			uncomp += tarContent(t, tarFile)
		}
		if s.CompressedBytes != comp || s.SizeBytes != uncomp || s.Layers != len(layers) {
			t.Errorf("stage %s: report %d/%d bytes %d layers, image %d/%d bytes %d layers", s.Name, s.SizeBytes, s.CompressedBytes, s.Layers, uncomp, comp, len(layers))
		}
	}
	plain := shared.mustRun(t, "stages", "--builder", "embedded", "../../assets/examples/multistage").stdout
	for _, want := range []string{"builder", "production", "final", "/opt", "20MB", "single-stage equivalent (shipping builder)"} {
		if !strings.Contains(plain, want) {
			t.Errorf("plain output lacks %q:\n%s", want, plain)
		}
	}
}

func TestStagesDockerEngine(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	rep := stagesJSON(t, shared, "docker")
	checkStageReport(t, rep)
}

func TestStagesUnnamedIntermediateStage(t *testing.T) {
	shared := newEnv(t)
	r := shared.run(t, nil, "stages", "--builder", "embedded", "../../testdata/graph")
	if r.code == 0 || !strings.Contains(r.stderr, "stage stage-0 has no name") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// TestStagesAreNotTheUsersBuilds: the builds stages runs to measure each
// stage are kept (their images are what it measures) but are not the
// user's: after `stages PATH` and `stages build:last`, `history ls` and
// `why` say what they said before, and `stages build:last` of a build on
// the embedded builder runs its stage builds there, even where the Docker
// engine answers and would be the default builder.
func TestStagesAreNotTheUsersBuilds(t *testing.T) {
	shared := newEnv(t)
	requireDocker(t)
	ex := "../../assets/examples/multistage"
	shared.mustRun(t, "build", "--builder", "embedded", "--progress", "plain", ex)
	ls := shared.mustRun(t, "history", "ls", "--json").stdout
	why := shared.mustRun(t, "why", "--json").stdout
	shared.mustRun(t, "stages", "--builder", "embedded", ex)
	r := shared.mustRun(t, "stages", "--json", "build:last") // no --builder: the record's
	var rep compare.StageReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || len(rep.Stages) == 0 {
		t.Fatalf("stages --json: %v\n%s", err, r.stdout)
	}
	for _, s := range rep.Stages {
		var b model.Build
		if err := json.Unmarshal([]byte(shared.mustRun(t, "history", "show", s.BuildID, "--json").stdout), &b); err != nil {
			t.Fatal(err)
		}
		if b.Builder != "embedded" || b.Internal != model.InternalStageSize {
			t.Errorf("stage %s was built on %q (internal %q); the recorded build ran on embedded", s.Name, b.Builder, b.Internal)
		}
	}
	if after := shared.mustRun(t, "history", "ls", "--json").stdout; after != ls {
		t.Errorf("history ls changed after stages:\nbefore %s\nafter %s", ls, after)
	}
	if after := shared.mustRun(t, "why", "--json").stdout; after != why {
		t.Errorf("why changed after stages:\nbefore %s\nafter %s", why, after)
	}
}

// tarContent is what `docker image ls` counts in a layer tar: its regular
// files' bytes and its symlinks' targets.
func tarContent(t *testing.T, file string) int64 {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var n int64
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		switch h.Typeflag {
		case tar.TypeReg:
			n += h.Size
		case tar.TypeSymlink:
			n += int64(len(h.Linkname))
		}
	}
}
