package model

import (
	"reflect"
	"testing"
	"time"
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

// A bake target is explained against the same target's last bake (or a
// plain build), never against another target of a bake, which may build
// the same stage with other args.
func TestPreviousBuildOfBakeTarget(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := func(id string, sec int, bake *BakeRef) *Build {
		return &Build{ID: id, Context: "/c", Dockerfile: "/c/Dockerfile", Target: "api", Status: StatusOK,
			Started: t0.Add(time.Duration(sec) * time.Second), Bake: bake}
	}
	plain := rec("plain", 0, nil)
	oldV1 := rec("old-v1", 1, &BakeRef{ID: "b1", Target: "api-v1"})
	oldV2 := rec("old-v2", 2, &BakeRef{ID: "b1", Target: "api-v2"})
	curV1 := rec("cur-v1", 4, &BakeRef{ID: "b2", Target: "api-v1"})
	curV2 := rec("cur-v2", 3, &BakeRef{ID: "b2", Target: "api-v2"}) // started first, same bake
	fresh := rec("fresh", 5, &BakeRef{ID: "b3", Target: "api-v3"})
	all := []*Build{plain, oldV1, oldV2, curV2, curV1, fresh}
	for _, tc := range []struct{ cur, want *Build }{
		{curV1, oldV1}, {curV2, oldV2}, {fresh, plain},
	} {
		if got := PreviousBuild(tc.cur, all); got != tc.want {
			t.Errorf("previous of %s: %v, want %s", tc.cur.ID, got, tc.want.ID)
		}
	}
}

func TestBakeSummary(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := func(id string, stages ...Stage) *Build {
		return &Build{ID: id, Status: StatusOK, Started: t0, Completed: t0.Add(time.Second), Stages: stages}
	}
	base := Stage{Name: "base", Steps: []Step{{Digest: "b1"}}}
	got := BakeSummary(map[string]*Build{
		"worker": ok("w1", base, Stage{Name: "worker", Steps: []Step{{Digest: "w"}}}),
		"api":    ok("a1", base, Stage{Name: "api", Steps: []Step{{Digest: "a"}}}),
		"broken": {ID: "x", Status: StatusError, Stages: []Stage{{Name: "other", Steps: []Step{{Digest: "o"}}}}},
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
	b := func(id string) *Build {
		return &Build{ID: id, Status: StatusOK, Started: t0, Completed: t0, ChecksUnavailable: "its BuildKit is v0.12.5"}
	}
	got := BakeSummary(map[string]*Build{"api": b("a1"), "worker": b("w1"), "gone": nil})
	want := "api: build a1 ok in 0s: 0/0 steps cached; open it as build:a1\n" +
		"worker: build w1 ok in 0s: 0/0 steps cached; open it as build:w1\n" +
		"checks not available on this builder: its BuildKit is v0.12.5\n"
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
