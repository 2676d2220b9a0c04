package buildtext

import (
	"reflect"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

func TestBakeStages(t *testing.T) {
	stage := func(name string, idx int, digests ...string) model.Stage {
		st := model.Stage{Name: name, Index: idx}
		for _, d := range digests {
			st.Steps = append(st.Steps, model.Step{Digest: d})
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
		builds map[string]*model.Build
		want   []row
	}{{
		name: "a base stage both targets build is drawn once",
		builds: map[string]*model.Build{
			"worker": {Stages: []model.Stage{stage("base", 0, "b1", "b2"), stage("worker", 2, "w1")}},
			"api":    {Stages: []model.Stage{stage("base", 0, "b1", "b2"), stage("api", 1, "a1")}},
		},
		want: []row{{"base", []string{"api", "worker"}, true}, {"api", []string{"api"}, false}, {"worker", []string{"worker"}, false}},
	}, {
		name: "the same stage with other args is other work",
		builds: map[string]*model.Build{
			"v1": {Stages: []model.Stage{stage("base", 0, "b1")}},
			"v2": {Stages: []model.Stage{stage("base", 0, "b9")}},
		},
		want: []row{{"base", []string{"v1"}, false}, {"base", []string{"v2"}, false}},
	}, {
		name: "stages with no step seen yet stay their target's",
		builds: map[string]*model.Build{
			"a": {Stages: []model.Stage{stage("base", 0)}},
			"b": {Stages: []model.Stage{stage("base", 0)}},
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

func TestBakeSummary(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := func(id string, stages ...model.Stage) *model.Build {
		return &model.Build{ID: id, Status: model.StatusOK, Started: t0, Completed: t0.Add(time.Second), Stages: stages}
	}
	base := model.Stage{Name: "base", Steps: []model.Step{{Digest: "b1"}}}
	got := BakeSummary(map[string]*model.Build{
		"worker": ok("w1", base, model.Stage{Name: "worker", Steps: []model.Step{{Digest: "w"}}}),
		"api":    ok("a1", base, model.Stage{Name: "api", Steps: []model.Step{{Digest: "a"}}}),
		"broken": {ID: "x", Status: model.StatusError, Stages: []model.Stage{{Name: "other", Steps: []model.Step{{Digest: "o"}}}}},
	})
	want := "api: build a1 ok in 1s: 0/0 steps cached; open it as build:a1\n" +
		"worker: build w1 ok in 1s: 0/0 steps cached; open it as build:w1\n" +
		"stage base: built once for api, worker\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// Targets built on a builder without BuildKit's checks say so once for
// the bake, not once per target.
func TestBakeSummaryChecksOnce(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := func(id string) *model.Build {
		return &model.Build{ID: id, Status: model.StatusOK, Started: t0, Completed: t0, ChecksUnavailable: "its BuildKit is v0.12.5"}
	}
	got := BakeSummary(map[string]*model.Build{"api": b("a1"), "worker": b("w1"), "gone": nil})
	want := "api: build a1 ok in 0s: 0/0 steps cached; open it as build:a1\n" +
		"worker: build w1 ok in 0s: 0/0 steps cached; open it as build:w1\n" +
		"checks not available on this builder: its BuildKit is v0.12.5\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
