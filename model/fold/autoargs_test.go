package fold

import (
	"os"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

func corpusPlan(t *testing.T, name string, args map[string]string, auto dockerfile.AutoArgs) *dockerfile.Plan {
	t.Helper()
	data, err := os.ReadFile("../../testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := dockerfile.ParseFor(name, data, args, auto)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// A stage BuildKit runs that the plan did not find reachable is added to
// the record, and a stage label the plan does not know is kept under
// BuildKit's name with a warning: no step BuildKit ran goes missing.
func TestFoldKeepsStagesThePlanMissed(t *testing.T) {
	amd := &ocispecs.Platform{OS: "linux", Architecture: "amd64"}
	p := corpusPlan(t, "arch-shape.Dockerfile", nil, dockerfile.AutoArgs{Build: amd}) // out-arm64 not reachable
	b := &model.Build{}
	f := New(b, p)
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
	stages := map[string]model.Stage{}
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
