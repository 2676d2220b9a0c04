package dockerfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/model"
)

func TestParseDockerfileStages(t *testing.T) {
	p := loadPlan(t, "../../testdata/graph/Dockerfile", nil)
	if got, want := p.StageNames(), []string{"stage-0", "assets", "compile", "combine"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("stages %v, want %v", got, want)
	}
	combine := p.Stage("combine")
	if want := []string{"stage-0", "assets", "compile"}; !reflect.DeepEqual(combine.DependsOn, want) {
		t.Errorf("combine depends on %v, want %v", combine.DependsOn, want)
	}
	if combine.Base != "127.0.0.1:5015/buildscope/busybox:latest" {
		t.Errorf("combine base %q: ARG default not expanded", combine.Base)
	}
	// steps: FROM, 3 COPY, RUN; step 5 is the RUN on line 20
	if len(combine.Steps) != 5 {
		t.Fatalf("combine has %d steps, want 5", len(combine.Steps))
	}
	run := combine.Instructions[combine.Steps[4]]
	if run.Keyword != "RUN" || run.Line != 20 || !strings.HasPrefix(run.Text, "RUN --mount=type=bind,from=compile") {
		t.Errorf("step 5 = %+v", run)
	}
	for _, s := range p.Stages[:3] {
		if len(s.DependsOn) != 0 {
			t.Errorf("%s depends on %v, want none", s.Name, s.DependsOn)
		}
	}
}

func TestParseDockerfileBuildArgOverridesBase(t *testing.T) {
	p := loadPlan(t, "../../testdata/graph/Dockerfile", map[string]string{"BASE": "example.com/other:1"})
	if got := p.Stages[0].Base; got != "example.com/other:1" {
		t.Errorf("base %q, want the build arg", got)
	}
}

func TestParseDockerfileFromStage(t *testing.T) {
	df := "FROM scratch AS a\nCOPY x /x\nFROM a AS b\nWORKDIR /w\nENV A=1\nRUN true\n"
	p, err := Parse("Dockerfile", []byte(df), nil)
	if err != nil {
		t.Fatal(err)
	}
	a, b := p.Stage("a"), p.Stage("b")
	if len(a.Steps) != 1 || a.Instructions[a.Steps[0]].Keyword != "COPY" {
		t.Errorf("scratch stage steps %+v: FROM scratch makes no step", a.Steps)
	}
	if b.BaseStage != 0 || !reflect.DeepEqual(b.DependsOn, []string{"a"}) {
		t.Errorf("b base stage %d deps %v", b.BaseStage, b.DependsOn)
	}
	// FROM <stage> makes no step; WORKDIR and RUN do, ENV does not
	var kw []string
	for _, i := range b.Steps {
		kw = append(kw, b.Instructions[i].Keyword)
	}
	if !reflect.DeepEqual(kw, []string{"WORKDIR", "RUN"}) {
		t.Errorf("b steps %v", kw)
	}
	if r, err := p.Reachable("a"); err != nil || !reflect.DeepEqual(r, []int{0}) {
		t.Errorf("reachable(a) = %v, %v", r, err)
	}
}

func TestParseDockerfileErrors(t *testing.T) {
	cases := []struct {
		df   string
		line int
		msg  string
	}{
		{"FROM busybox\nRUN true\nCOPY\n", 3, "COPY requires at least two arguments"},
		{"FROM busybox\nFOO bar\n", 2, "unknown instruction"},
		{"# only a comment\n", 1, "no instructions"},
	}
	for _, c := range cases {
		_, err := Parse("app/Dockerfile", []byte(c.df), nil)
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%q: error %v is not a ParseError", c.df, err)
		}
		if pe.Line != c.line || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.msg)) {
			t.Errorf("%q: got %q (line %d), want line %d containing %q", c.df, err, pe.Line, c.line, c.msg)
		}
		if c.line > 0 && !strings.HasPrefix(err.Error(), "app/Dockerfile:") {
			t.Errorf("error %q does not start with file:line", err)
		}
	}
}

func TestReachableUnknownTarget(t *testing.T) {
	p := loadPlan(t, "../../testdata/graph/Dockerfile", nil)
	_, err := p.Reachable("nope")
	if err == nil || !strings.Contains(err.Error(), `"nope"`) || !strings.Contains(err.Error(), "assets") {
		t.Fatalf("error %v should name the target and list the stages", err)
	}
}

// A RUN's mounts are read as the frontend reads them: a bind mount from
// the context is a source of the step, a cache mount is not (it is a
// cache mount, with its id and sharing), and args expand in the stage.
func TestRunMountsInThePlan(t *testing.T) {
	df := "FROM scratch\nARG DIR=scripts\n" +
		"RUN --mount=type=bind,source=$DIR,target=/s --mount=type=cache,target=/var/cache/apt,sharing=locked true\n" +
		"RUN --mount=type=cache,id=pip,target=/root/.cache true\n"
	p, err := Parse("Dockerfile", []byte(df), nil)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Stages[0]
	a, b := InstructionAt(&st, 3), InstructionAt(&st, 4)
	if !reflect.DeepEqual(a.Sources, []string{"scripts"}) || !reflect.DeepEqual(a.CacheMounts, []model.CacheMount{{ID: "/var/cache/apt", Target: "/var/cache/apt", Sharing: "locked"}}) {
		t.Errorf("line 3: sources %v, cache mounts %+v", a.Sources, a.CacheMounts)
	}
	if len(b.Sources) != 0 || !reflect.DeepEqual(b.CacheMounts, []model.CacheMount{{ID: "pip", Target: "/root/.cache", Sharing: "shared"}}) {
		t.Errorf("line 4: sources %v (a cache mount reads no context), cache mounts %+v", b.Sources, b.CacheMounts)
	}
}
