package model

import (
	"reflect"
	"testing"
)

func TestBakeStages(t *testing.T) {
	stage := func(name string, idx int, digests ...string) Stage {
		st := Stage{Name: name, Index: idx}
		for _, d := range digests {
			st.Steps = append(st.Steps, Step{Digest: d})
		}
		return st
	}
	type row struct {
		name    string
		targets []string
		shared  bool
	}
	for _, tc := range []struct {
		name   string
		builds map[string]*Build
		want   []row
	}{{
		name: "a base stage both targets build is drawn once",
		builds: map[string]*Build{
			"worker": {Stages: []Stage{stage("base", 0, "b1", "b2"), stage("worker", 2, "w1")}},
			"api":    {Stages: []Stage{stage("base", 0, "b1", "b2"), stage("api", 1, "a1")}},
		},
		want: []row{{"base", []string{"api", "worker"}, true}, {"api", []string{"api"}, false}, {"worker", []string{"worker"}, false}},
	}, {
		name: "the same stage with other args is other work",
		builds: map[string]*Build{
			"v1": {Stages: []Stage{stage("base", 0, "b1")}},
			"v2": {Stages: []Stage{stage("base", 0, "b9")}},
		},
		want: []row{{"base", []string{"v1"}, false}, {"base", []string{"v2"}, false}},
	}, {
		name: "stages with no step seen yet stay their target's",
		builds: map[string]*Build{
			"a": {Stages: []Stage{stage("base", 0)}},
			"b": {Stages: []Stage{stage("base", 0)}},
			"c": nil,
		},
		want: []row{{"base", []string{"a"}, false}, {"base", []string{"b"}, false}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var got []row
			for _, s := range BakeStages(tc.builds) {
				got = append(got, row{s.Stage.Name, s.Targets, s.Shared()})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}
