package dockerfile

import (
	"os"
	"reflect"
	"strings"
	"testing"

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
	data, err := os.ReadFile("../../testdata/corpus/" + name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseFor(name, data, args, auto)
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
