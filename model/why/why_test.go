package why

import (
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
)

// A bake target is explained against the same target's last bake (or a
// plain build), never against another target of a bake, which may build
// the same stage with other args.
func TestPreviousBuildOfBakeTarget(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := func(id string, sec int, bake *model.BakeRef) *model.Build {
		return &model.Build{ID: id, Context: "/c", Dockerfile: "/c/Dockerfile", Target: "api", Status: model.StatusOK,
			Started: t0.Add(time.Duration(sec) * time.Second), Bake: bake}
	}
	plain := rec("plain", 0, nil)
	oldV1 := rec("old-v1", 1, &model.BakeRef{ID: "b1", Target: "api-v1"})
	oldV2 := rec("old-v2", 2, &model.BakeRef{ID: "b1", Target: "api-v2"})
	curV1 := rec("cur-v1", 4, &model.BakeRef{ID: "b2", Target: "api-v1"})
	curV2 := rec("cur-v2", 3, &model.BakeRef{ID: "b2", Target: "api-v2"}) // started first, same bake
	fresh := rec("fresh", 5, &model.BakeRef{ID: "b3", Target: "api-v3"})
	all := []*model.Build{plain, oldV1, oldV2, curV2, curV1, fresh}
	for _, tc := range []struct{ cur, want *model.Build }{
		{curV1, oldV1}, {curV2, oldV2}, {fresh, plain},
	} {
		if got := PreviousBuild(tc.cur, all); got != tc.want {
			t.Errorf("previous of %s: %v, want %s", tc.cur.ID, got, tc.want.ID)
		}
	}
}

// whyBuild is a two-stage build record as buildscope records one: stage
// gen's COPY (line 2) and the final stage's RUN on line 4, which mounts
// gen's output (its parent).
func whyBuild(id string, start time.Time, file string, copyCached, runCached bool, runLLB string) *model.Build {
	t0, t1 := start, start.Add(1500*time.Millisecond)
	step := func(name string, line int, cached bool, in *model.StepInputs) model.Step {
		s := model.Step{Name: name, Instruction: name[len("[gen 1/1] "):], Line: line, Digest: id + name, Cached: cached, Inputs: in}
		if !cached {
			s.Started, s.Completed = &t0, &t1
		}
		return s
	}
	cp := step("[gen 1/1] COPY v.txt /v.txt", 2, copyCached, &model.StepInputs{Text: "COPY v.txt /v.txt", Files: map[string]string{"v.txt": file}, Key: "k-copy-" + file, LLB: "llb-copy"})
	run := step("[gen 1/1] RUN --mount=from=gen cat /m/v.txt", 4, runCached, &model.StepInputs{Text: "RUN --mount=from=gen cat /m/v.txt", Parents: []string{cp.Digest}, Key: "k-run-" + file, LLB: runLLB})
	return &model.Build{ID: id, Started: start, Stages: []model.Stage{{Name: "gen", Steps: []model.Step{cp}}, {Name: "stage-1", Steps: []model.Step{run}}}}
}

// A step that changed but hit an older entry is reported as a changed hit,
// and the miss built on it says parent-changed, naming it, with its cost.
func TestExplainParentChanged(t *testing.T) {
	now := time.Now()
	prev := whyBuild("a", now, "sha256:two", false, false, "llb-run")
	cur := whyBuild("b", now.Add(time.Minute), "sha256:one", true, false, "llb-run")
	ex := Explain(cur, prev)
	if len(ex.ChangedHits) != 1 || ex.ChangedHits[0].Reason != ReasonContext || ex.ChangedHits[0].Line != 2 {
		t.Fatalf("changed hits %+v", ex.ChangedHits)
	}
	if len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonParentChanged || ex.Misses[0].Root {
		t.Fatalf("misses %+v, want one parent-changed cascade", ex.Misses)
	}
	if ex.Misses[0].Detail.Root != ex.ChangedHits[0].Step {
		t.Errorf("parent-changed names %v", ex.Misses[0].Detail.Root)
	}
	if ex.ChangedHits[0].CostSeconds != 1.5 {
		t.Errorf("the changed hit cost %v s, want the 1.5 s of the RUN it made run", ex.ChangedHits[0].CostSeconds)
	}
}

// cache-evicted only where BuildKit's cache keys of both steps are equal:
// equal recorded inputs and op digests are not proof (inputs-unknown,
// saying so), nor is either without the op digest.
func TestExplainEvictedOnlyWhenShown(t *testing.T) {
	now := time.Now()
	prev := whyBuild("a", now, "sha256:one", false, false, "llb-run")
	cur := whyBuild("b", now.Add(time.Minute), "sha256:one", true, false, "llb-run")
	if ex := Explain(cur, prev); len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonUnknown || !strings.Contains(ex.Misses[0].Detail.Missing, "cache keys") {
		t.Fatalf("same recorded inputs and op digest, ran: %+v, want inputs-unknown naming the missing keys", ex.Misses)
	}
	key := &model.CacheKey{Key: "sha256:k", Op: "{}"}
	prev.Stages[1].Steps[0].Key, cur.Stages[1].Steps[0].Key = key, key
	if ex := Explain(cur, prev); len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonEvicted || ex.Misses[0].Source != SourceCacheKeys {
		t.Fatalf("equal cache keys, ran: %+v, want cache-evicted from cache-keys", ex.Misses)
	}
	prev.Stages[1].Steps[0].Key, cur.Stages[1].Steps[0].Key = nil, nil
	noLLB := whyBuild("c", now.Add(2*time.Minute), "sha256:one", true, false, "")
	ex := Explain(noLLB, prev)
	if len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonUnknown || ex.Misses[0].Detail.Missing == "" {
		t.Fatalf("no op digest: %+v, want inputs-unknown saying what is missing", ex.Misses)
	}
	llbChanged := whyBuild("d", now.Add(3*time.Minute), "sha256:one", true, false, "llb-other")
	if ex := Explain(llbChanged, prev); len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonUnknown {
		t.Fatalf("op digest changed, same text: %+v, want inputs-unknown, not instruction-changed", ex.Misses)
	}
}
