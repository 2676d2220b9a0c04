package build

import (
	"reflect"
	"testing"

	"github.com/buildscope/buildscope/model"
)

// A record gives back the inputs it was built with (args sorted); a build
// buildscope did not run, or one that read named contexts, says so.
func TestInputsOf(t *testing.T) {
	b := &model.Build{ID: "a1", Context: "/src", Dockerfile: "/src/Dockerfile", Target: "api",
		Platforms: []string{"linux/amd64"}, BuildArgs: map[string]string{"VERSION": "2", "BASE": "x"}}
	in, err := InputsOf(b)
	want := Inputs{ContextDir: "/src", Dockerfile: "/src/Dockerfile", Target: "api", Platforms: []string{"linux/amd64"}, BuildArgs: []string{"BASE=x", "VERSION=2"}}
	if err != nil || !reflect.DeepEqual(in, want) {
		t.Errorf("InputsOf: %+v, %v; want %+v", in, err, want)
	}
	if UsedNamedContexts(b) {
		t.Error("no step read a named context")
	}
	b.Stages = []model.Stage{{Steps: []model.Step{{Inputs: &model.StepInputs{Contexts: map[string]map[string]string{"extra": {"a": "sha256:1"}}}}}}}
	if !UsedNamedContexts(b) {
		t.Error("a step read the named context extra")
	}
	if _, err := InputsOf(&model.Build{ID: "f1", Origin: &model.Origin{}}); err == nil {
		t.Error("a foreign record has no context here")
	}
}
