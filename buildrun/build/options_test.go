package build

import (
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/client"
)

func TestParseBuildArgs(t *testing.T) {
	t.Setenv("BS_FROM_ENV", "e")
	got, err := parseBuildArgs([]string{"A=1", "B=x=y", "BS_FROM_ENV", "BS_UNSET_VAR"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got["A"] != "1" || got["B"] != "x=y" || got["BS_FROM_ENV"] != "e" {
		t.Errorf("args %v", got)
	}
	if _, err := parseBuildArgs([]string{"=1"}); err == nil {
		t.Error("empty key accepted")
	}
}

func TestUserExportsShorthand(t *testing.T) {
	// A tar output is created as it is parsed: keep it out of the tree.
	tarFile := filepath.Join(t.TempDir(), "x.tar")
	ex, err := userExports([]string{"out", "type=tar,dest=" + tarFile})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 2 || ex[0].Type != client.ExporterLocal || ex[0].OutputDir != "out" || ex[1].Type != client.ExporterTar {
		t.Errorf("exports %+v", ex)
	}
	// An exporter type buildscope does not know is left for BuildKit to judge.
	if ex, err := userExports([]string{"type=bogus-only"}); err != nil || len(ex) != 1 || ex[0].Type != "bogus-only" {
		t.Errorf("unknown exporter: %+v, %v; want it passed on to BuildKit", ex, err)
	}
}

func TestCacheOptionsBareRef(t *testing.T) {
	imp, exp, err := cacheOptions([]string{"reg.example/app:cache"}, []string{"type=local,dest=/tmp/c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(imp) != 1 || imp[0].Type != "registry" || imp[0].Attrs["ref"] != "reg.example/app:cache" {
		t.Errorf("imports %+v", imp)
	}
	if len(exp) != 1 || exp[0].Type != "local" {
		t.Errorf("exports %+v", exp)
	}
}
