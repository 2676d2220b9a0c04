package model

import (
	"testing"
	"time"
)

// whyBuild is a two-stage build record as buildscope records one: stage
// gen's COPY (line 2) and the final stage's RUN on line 4, which mounts
// gen's output (its parent).
func whyBuild(id string, start time.Time, file string, copyCached, runCached bool, runLLB string) *Build {
	t0, t1 := start, start.Add(1500*time.Millisecond)
	step := func(name string, line int, cached bool, in *StepInputs) Step {
		s := Step{Name: name, Instruction: name[len("[gen 1/1] "):], Line: line, Digest: id + name, Cached: cached, Inputs: in}
		if !cached {
			s.Started, s.Completed = &t0, &t1
		}
		return s
	}
	cp := step("[gen 1/1] COPY v.txt /v.txt", 2, copyCached, &StepInputs{Text: "COPY v.txt /v.txt", Files: map[string]string{"v.txt": file}, Key: "k-copy-" + file, LLB: "llb-copy"})
	run := step("[gen 1/1] RUN --mount=from=gen cat /m/v.txt", 4, runCached, &StepInputs{Text: "RUN --mount=from=gen cat /m/v.txt", Parents: []string{cp.Digest}, Key: "k-run-" + file, LLB: runLLB})
	return &Build{ID: id, Started: start, Stages: []Stage{{Name: "gen", Steps: []Step{cp}}, {Name: "stage-1", Steps: []Step{run}}}}
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

// cache-evicted only where the recorded inputs and BuildKit's op digest
// show the step was the same; without the op digest the reason is
// inputs-unknown, saying what is missing.
func TestExplainEvictedOnlyWhenShown(t *testing.T) {
	now := time.Now()
	prev := whyBuild("a", now, "sha256:one", false, false, "llb-run")
	cur := whyBuild("b", now.Add(time.Minute), "sha256:one", true, false, "llb-run")
	if ex := Explain(cur, prev); len(ex.Misses) != 1 || ex.Misses[0].Reason != ReasonEvicted {
		t.Fatalf("same key and op digest, ran: %+v, want cache-evicted", ex.Misses)
	}
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
