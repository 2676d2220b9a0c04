package compare

import (
	"testing"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

func cmpStep(stage string, line int, text string, cached bool, secs float64, size int64) model.Step {
	t0 := time.Unix(100, 0)
	t1 := t0.Add(time.Duration(secs * float64(time.Second)))
	s := model.Step{Name: "[" + stage + "] " + text, Instruction: text, Line: line, Digest: stage + text, Cached: cached,
		Started: &t0, Completed: &t1, SizeBytes: &size, Inputs: &model.StepInputs{Text: text, Key: text}}
	return s
}

// An inserted line in B and a removed one: steps are matched around them,
// and B's step that ran where A's hit carries why's reason.
func TestCompareBuildsMatchesAroundEdits(t *testing.T) {
	a := &model.Build{ID: "a", Started: time.Unix(0, 0), Completed: time.Unix(10, 0), Stages: []model.Stage{{Name: "app", Steps: []model.Step{
		cmpStep("app", 2, "WORKDIR /app", true, 0, 0),
		cmpStep("app", 3, "COPY old.txt ./", false, 0.1, 10),
		cmpStep("app", 4, "RUN make", false, 2, 100),
	}}}}
	b := &model.Build{ID: "b", Started: time.Unix(20, 0), Completed: time.Unix(25, 0), Stages: []model.Stage{{Name: "app", Steps: []model.Step{
		cmpStep("app", 2, "WORKDIR /app", true, 0, 0),
		cmpStep("app", 3, "COPY new.txt ./", false, 0.1, 20),
		cmpStep("app", 4, "RUN make", false, 3, 150),
	}}}}
	b.Stages[0].Steps[2].Inputs.Parents = []string{b.Stages[0].Steps[1].Digest}
	c := Builds(a, b)
	var got []string
	for _, s := range c.Steps {
		got = append(got, s.Instruction+":"+map[[2]bool]string{{true, true}: "both", {true, false}: "a", {false, true}: "b"}[s.Present])
	}
	want := []string{"WORKDIR /app:both", "COPY old.txt ./:a", "COPY new.txt ./:b", "RUN make:both"}
	if len(got) != len(want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("step %d: %s, want %s", i, got[i], want[i])
		}
	}
	run := c.Steps[3]
	if run.Seconds != [2]float64{2, 3} || *run.Size[0] != 100 || *run.Size[1] != 150 {
		t.Errorf("RUN make: %+v", run)
	}
	if run.Why == nil || run.Why.Reason != why.ReasonParent {
		t.Errorf("RUN make why %+v, want parent-missed from the new COPY", run.Why)
	}
	if c.Wall != [2]float64{10, 5} || len(c.Stages) != 1 || c.Stages[0].Bytes != [2]int64{110, 170} {
		t.Errorf("totals: wall %v stages %+v", c.Wall, c.Stages)
	}
}
