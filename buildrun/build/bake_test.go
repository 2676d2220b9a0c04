package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/bakefile"
)

// ReadBake maps what buildx's parser resolved onto each target's build
// options as buildx maps them onto its own: the Dockerfile relative to the
// context, --push and --load as outputs, -o destinations kept.
func TestReadBakeOptions(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"app", "app/docker"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "app/docker/Dockerfile.app"), []byte("FROM scratch AS app\nCOPY x /\n"), 0o644)
	hcl := `
variable "TAG" { default = "1" }
group "default" { targets = ["app", "out"] }
target "app" {
  context    = "` + filepath.Join(dir, "app") + `"
  dockerfile = "docker/Dockerfile.app"
  target     = "app"
  tags       = ["reg.example/app:${TAG}"]
  args       = { A = "1", UNSET = null }
}
target "out" {
  inherits = ["app"]
  tags     = []
  output   = ["type=local,dest=` + filepath.Join(dir, "out") + `"]
}
`
	file := filepath.Join(dir, "docker-bake.hcl")
	os.WriteFile(file, []byte(hcl), 0o644)
	t.Setenv("TAG", "7")
	for _, tc := range []struct {
		name string
		o    BakeOptions
		want map[string]Outputs
	}{
		{"no outputs", BakeOptions{}, map[string]Outputs{
			"app": {Tags: []string{"reg.example/app:7"}},
			"out": {Destinations: []string{"type=local,dest=" + filepath.Join(dir, "out")}},
		}},
		{"push", BakeOptions{Push: true, Targets: []string{"app"}}, map[string]Outputs{
			"app": {Tags: []string{"reg.example/app:7"}, Push: true},
		}},
		{"load", BakeOptions{Load: true, Targets: []string{"app"}}, map[string]Outputs{
			"app": {Tags: []string{"reg.example/app:7"}, Load: true},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Files = []string{file}
			bk, err := readBakeHere(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]Outputs{}
			for _, bt := range bk.Targets {
				got[bt.Name] = bt.Outputs
				if bt.DockerfileAbs != filepath.Join(dir, "app/docker/Dockerfile.app") || bt.Target != "app" {
					t.Errorf("%s: Dockerfile %s, target %s", bt.Name, bt.DockerfileAbs, bt.Target)
				}
				if !reflect.DeepEqual(bt.Args, map[string]string{"A": "1"}) {
					t.Errorf("%s: args %v, want A alone (a null arg is not passed)", bt.Name, bt.Args)
				}
			}
			if g, w := fmt.Sprintf("%+v", got), fmt.Sprintf("%+v", tc.want); g != w {
				t.Errorf("outputs %s\nwant %s", g, w)
			}
		})
	}
}

// What buildscope cannot bake fails before a builder is contacted, with
// what to do.
func TestReadBakeRefuses(t *testing.T) {
	for _, tc := range []struct{ name, hcl, want string }{
		{"inline", `target "default" { dockerfile-inline = "FROM scratch" }`, "dockerfile-inline is not supported"},
		{"remote", `target "default" { context = "https://github.com/x/y.git" }`, "not a local directory"},
		{"linked", `target "base" {}
target "default" { contexts = { b = "target:base" } }`, "a target as a named context"},
		{"no default", `target "app" {}`, "no default target or group: name one of app"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir) // where contexts are resolved, as in buildx
			file := filepath.Join(dir, "docker-bake.hcl")
			os.WriteFile(file, []byte(tc.hcl), 0o644)
			os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644)
			_, err := readBakeHere(BakeOptions{Files: []string{file}})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// The live graph draws a bake as one Dockerfile's stages only when every
// target builds that Dockerfile from the same bases.
func TestBakeOnePlan(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("ARG BASE=busybox\nFROM ${BASE} AS base\nFROM base AS a\nFROM base AS b\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "Other.Dockerfile"), []byte("FROM busybox AS b\n"), 0o644)
	for _, tc := range []struct {
		name, hcl string
		one       bool
	}{
		{"one Dockerfile", `target "a" { target = "a" }
target "b" { target = "b" }`, true},
		{"another Dockerfile", `target "a" { target = "a" }
target "b" { dockerfile = "Other.Dockerfile" }`, false},
		{"other bases", `target "a" { target = "a" }
target "b" {
  target = "b"
  args = { BASE = "alpine" }
}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, "docker-bake.hcl")
			os.WriteFile(file, []byte(tc.hcl), 0o644)
			bk, err := readBakeHere(BakeOptions{Files: []string{file}, Targets: []string{"a", "b"}})
			if err != nil {
				t.Fatal(err)
			}
			if got := bk.OnePlan() != nil; got != tc.one {
				t.Errorf("OnePlan: %v, want %v", got, tc.one)
			}
		})
	}
}

// A bake's targets that together build every stage of their Dockerfile
// report every stage's checks from their builds: no lint subrequest; a
// target alone leaves its sibling's stage out and needs one.
func TestBakeStagesCovered(t *testing.T) {
	dir := t.TempDir()
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM scratch AS base\nFROM base AS api\nFROM base AS worker\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	target := func(name string) BakeTarget {
		p, err := Prepare(Options{Inputs: Inputs{ContextDir: dir, Target: name}})
		if err != nil {
			t.Fatal(err)
		}
		return BakeTarget{Name: name, Prepared: p}
	}
	api, worker := target("api"), target("worker")
	if got := stagesCovered(&Bake{Targets: []BakeTarget{api, worker}}); !got[df] {
		t.Errorf("api and worker: %v, want %s covered", got, df)
	}
	if got := stagesCovered(&Bake{Targets: []BakeTarget{api}}); got[df] || !api.unreachedStages() {
		t.Errorf("api alone: %v, unreached %v; want worker's stage left to the lint", got, api.unreachedStages())
	}
}

// readBakeHere is ReadBake with buildscope-bake's code run in-process
// (bakefile.Resolve), as the process runs it.
func readBakeHere(o BakeOptions) (*Bake, error) {
	o.Reader = bakefile.Resolve
	return ReadBake(context.Background(), o)
}
