package model

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func reachableNames(t *testing.T, p *Plan, target string) []string {
	t.Helper()
	idx, err := p.Reachable(target)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, i := range idx {
		out = append(out, p.Stages[i].Name)
	}
	return out
}

func corpusPlan(t *testing.T, name string, args map[string]string, auto AutoArgs) *Plan {
	t.Helper()
	data, err := os.ReadFile("../testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseDockerfileFor(name, data, args, auto)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// FROM binaries-$TARGETOS resolves with the automatic args, as BuildKit
// resolves it; before, the final stage's base was an unknown image and
// every stage behind it was missing from the record.
func TestPlanResolvesTargetOS(t *testing.T) {
	linux := &ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	p := corpusPlan(t, "buildx-shape.Dockerfile", nil, AutoArgs{Build: linux})
	bin := p.Stage("binaries")
	if bin.Base != "binaries-linux" || p.Stages[bin.BaseStage].Name != "binaries-linux" {
		t.Fatalf("binaries starts from %q (stage %d), want binaries-linux", bin.Base, bin.BaseStage)
	}
	want := []string{"xx", "golatest", "gobase", "version", "build", "binaries-unix", "binaries-linux", "binaries", "stage-12"}
	if got := reachableNames(t, p, ""); !reflect.DeepEqual(got, want) {
		t.Errorf("default target needs %v, want %v", got, want)
	}
	win := &ocispecs.Platform{OS: "windows", Architecture: "amd64"}
	p = corpusPlan(t, "buildx-shape.Dockerfile", nil, AutoArgs{Build: linux, Target: win, Stage: "release"})
	want = []string{"xx", "golatest", "gobase", "version", "build", "binaries-windows", "binaries", "releaser", "release"}
	if got := reachableNames(t, p, "release"); !reflect.DeepEqual(got, want) {
		t.Errorf("release for windows needs %v, want %v", got, want)
	}
	// a build arg of the same name overrides the automatic one, as in BuildKit
	p = corpusPlan(t, "buildx-shape.Dockerfile", map[string]string{"TARGETOS": "darwin"}, AutoArgs{Build: linux})
	if got := p.Stage("binaries").Base; got != "binaries-darwin" {
		t.Errorf("with --build-arg TARGETOS=darwin binaries starts from %q", got)
	}
}

func TestPlanResolvesTargetArch(t *testing.T) {
	amd := &ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	arm := &ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	p := corpusPlan(t, "arch-shape.Dockerfile", nil, AutoArgs{Build: amd, Target: arm})
	if got, want := reachableNames(t, p, ""), []string{"build", "out-arm64", "stage-3"}; !reflect.DeepEqual(got, want) {
		t.Errorf("for arm64 the build needs %v, want %v", got, want)
	}
}

func TestParsePlatforms(t *testing.T) {
	got, err := ParsePlatforms([]string{"linux/amd64,linux/arm64/v8", "linux/arm/v7"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].Architecture != "arm64" || got[2].Variant != "v7" {
		t.Errorf("parsed %+v", got)
	}
	for _, bad := range []string{"linux/", "not a platform!", "/amd64"} {
		_, err := ParsePlatforms([]string{bad})
		if err == nil || !strings.HasPrefix(err.Error(), "invalid --platform") {
			t.Errorf("%q: error %v, want one naming --platform", bad, err)
		}
	}
}

// A stage BuildKit runs that the plan did not find reachable is added to
// the record, and a stage label the plan does not know is kept under
// BuildKit's name with a warning: no step BuildKit ran goes missing.
func TestFoldKeepsStagesThePlanMissed(t *testing.T) {
	amd := &ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	p := corpusPlan(t, "arch-shape.Dockerfile", nil, AutoArgs{Build: amd}) // out-arm64 not reachable
	b := &Build{}
	f := NewFolder(b, p)
	vs := []string{
		"[build 2/2] RUN mkdir -p /out",
		"[out-riscv64 1/1] COPY --from=build /out/app /app-riscv64",
		"[out-arm64 1/1] COPY --from=build /out/app /app-arm64",
	}
	for i, name := range vs {
		f.Add(&client.SolveStatus{Vertexes: []*client.Vertex{{Digest: digest.FromString(name + string(rune(i))), Name: name}}})
	}
	got := f.Build()
	if len(got.Other) != 0 {
		t.Errorf("steps left outside any stage: %+v", got.Other)
	}
	stages := map[string]Stage{}
	for _, s := range got.Stages {
		stages[s.Name] = s
	}
	if s := stages["out-arm64"]; len(s.Steps) != 1 || s.Index != 2 {
		t.Errorf("out-arm64 (not reachable on the host's arch) = %+v, want added with its step", s)
	}
	if s := stages["out-riscv64"]; len(s.Steps) != 1 || s.Index != -1 {
		t.Errorf("out-riscv64 (unknown to the plan) = %+v, want kept under BuildKit's name", s)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0].Short, `"out-riscv64"`) {
		t.Errorf("warnings %+v, want one naming out-riscv64", got.Warnings)
	}
}
