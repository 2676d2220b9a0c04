package fold

import (
	"fmt"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/buildscope/buildscope/model/modeltest"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

func foldEvents(t *testing.T, plan *dockerfile.Plan, events []*client.SolveStatus) *model.Build {
	t.Helper()
	b := &model.Build{}
	f := New(b, plan)
	for _, e := range events {
		f.Add(e)
	}
	return f.Build()
}

// stepSummary is "stage:line:cached" for each step, in record order.
func stepSummary(b *model.Build) []string {
	var out []string
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			c := "run"
			if st.Cached {
				c = "cached"
			}
			out = append(out, fmt.Sprintf("%s:%02d:%s", s.Name, st.Line, c))
		}
	}
	return out
}

func TestFoldMultistageColdBuild(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl"))
	if len(b.Stages) != 2 || b.Stages[0].Name != "builder" || b.Stages[1].Name != "production" {
		t.Fatalf("stages %+v", b.Stages)
	}
	if !reflect.DeepEqual(b.Stages[1].DependsOn, []string{"builder"}) {
		t.Errorf("production depends on %v", b.Stages[1].DependsOn)
	}
	// builder: FROM 7, RUN 9, WORKDIR 12, COPY 14, RUN 15, COPY 17, RUN 18;
	// production: WORKDIR 24, COPY 25, RUN 26 (its FROM is the same vertex
	// as builder's, which BuildKit runs once). BuildKit reported the FROM
	// and production's WORKDIR cached in this --no-cache build.
	want := []string{"builder:07:cached", "builder:09:run", "builder:12:run", "builder:14:run", "builder:15:run",
		"builder:17:run", "builder:18:run", "production:24:cached", "production:25:run", "production:26:run"}
	if got := stepSummary(b); !reflect.DeepEqual(got, want) {
		t.Errorf("steps\n got %v\nwant %v", got, want)
	}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.Digest == "" || st.Started == nil || st.Completed == nil || st.Error != "" {
				t.Errorf("step %q incomplete: %+v", st.Name, st)
			}
			if !strings.HasPrefix(st.Name, "["+s.Name+" ") {
				t.Errorf("step %q filed under stage %s", st.Name, s.Name)
			}
		}
	}
	if b.Cache.StepsTotal != 10 || b.Cache.StepsCached != 2 {
		t.Errorf("cache %+v", b.Cache)
	}
	if len(b.Other) == 0 || !strings.Contains(b.Other[0].Name, "[internal]") {
		t.Errorf("internal vertices not kept apart: %+v", b.Other)
	}
}

// Updates arriving shuffled and repeated fold to the same build.
func TestFoldOutOfOrderAndDuplicates(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/graph/Dockerfile", nil)
	events := modeltest.LoadEvents(t, "../../testdata/graph-cold.jsonl")
	want := foldEvents(t, plan, events)

	r := rand.New(rand.NewSource(1))
	shuffled := append([]*client.SolveStatus(nil), events...)
	shuffled = append(shuffled, events[:len(events)/2]...)
	r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	got := foldEvents(t, plan, shuffled)
	if !reflect.DeepEqual(stepSummary(got), stepSummary(want)) {
		t.Fatalf("shuffled fold differs:\n got %v\nwant %v", stepSummary(got), stepSummary(want))
	}
	for i := range want.Stages {
		for j := range want.Stages[i].Steps {
			w, g := want.Stages[i].Steps[j], got.Stages[i].Steps[j]
			if !w.Started.Equal(*g.Started) || !w.Completed.Equal(*g.Completed) {
				t.Errorf("%s: times differ after shuffle", w.Name)
			}
		}
	}
}

func TestFoldParallelStages(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/graph/Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "../../testdata/graph-cold.jsonl"))
	var assets, compile *model.Step
	for i := range b.Stages {
		for j := range b.Stages[i].Steps {
			st := &b.Stages[i].Steps[j]
			if strings.HasPrefix(st.Instruction, "RUN mkdir /assets") {
				assets = st
			}
			if strings.HasPrefix(st.Instruction, "RUN mkdir /out") {
				compile = st
			}
		}
	}
	if assets == nil || compile == nil {
		t.Fatal("assets/compile RUN steps not found")
	}
	// both sleep 0.3 s; run in parallel they overlap
	if !(assets.Started.Before(*compile.Completed) && compile.Started.Before(*assets.Completed)) {
		t.Errorf("assets %v–%v and compile %v–%v did not overlap", assets.Started, assets.Completed, compile.Started, compile.Completed)
	}
	comb := b.Stages[3]
	if comb.Name != "combine" || len(comb.Steps) != 4 {
		t.Fatalf("combine steps %+v", comb.Steps)
	}
	if comb.Steps[2].Line != 19 || !strings.Contains(comb.Steps[2].Instruction, "COPY --from=127.0.0.1:5015") {
		t.Errorf("COPY --from=image step %+v", comb.Steps[2])
	}
}

func TestFoldFailedStep(t *testing.T) {
	plan := modeltest.LoadPlan(t, "../../testdata/fail/Dockerfile", nil)
	b := foldEvents(t, plan, modeltest.LoadEvents(t, "../../testdata/fail.jsonl"))
	var failed []model.Step
	for _, st := range b.Stages[0].Steps {
		if st.Error != "" {
			failed = append(failed, st)
		}
	}
	if b.Cache.StepsTotal != 3 {
		t.Errorf("steps total %d, want 3 (FROM and the two RUNs that started)", b.Cache.StepsTotal)
	}
	if len(failed) != 1 || failed[0].Line != 4 || !strings.Contains(failed[0].Error, "exit code: 3") {
		t.Fatalf("failed steps %+v", failed)
	}
	for _, st := range b.Stages[0].Steps {
		if st.Line == 5 && (st.Started != nil || st.Cached) {
			t.Errorf("step after the failure ran: %+v", st)
		}
	}
}

// Without the Dockerfile (a build someone else started), steps are filed
// under the stages BuildKit names, nothing in Other but BuildKit's own
// vertices.
func TestFoldWithoutAPlan(t *testing.T) {
	b := foldEvents(t, nil, modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl"))
	names := map[string]int{}
	for _, s := range b.Stages {
		names[s.Name] = len(s.Steps)
	}
	if names["builder"] == 0 || names["production"] == 0 {
		t.Errorf("stages %v, want builder and production with their steps", names)
	}
	for _, o := range b.Other {
		if stepName.MatchString(o.Name) {
			t.Errorf("step %q left outside any stage", o.Name)
		}
	}
	if len(b.Warnings) != 0 {
		t.Errorf("warnings %v for a build without a plan", b.Warnings)
	}
}

// A step whose text holds a newline (a RUN with a quoted one, in a build
// another client made) is still a step of its stage: the step-name
// pattern spans lines. It was left among BuildKit's own vertices.
func TestFoldStepNameWithANewline(t *testing.T) {
	now := time.Now()
	name := "[builder 2/3] RUN printf 'a\nb' \x1b]0;pwned\x07"
	b := foldEvents(t, nil, []*client.SolveStatus{{Vertexes: []*client.Vertex{{
		Digest: digest.FromString(name), Name: name, Started: &now, Completed: &now}}}})
	if len(b.Stages) != 1 || b.Stages[0].Name != "builder" || len(b.Stages[0].Steps) != 1 {
		var other []string
		for _, o := range b.Other {
			other = append(other, o.Name)
		}
		t.Fatalf("%d stages, other vertices %q: want the step in stage builder", len(b.Stages), other)
	}
	st := b.Stages[0].Steps[0]
	if st.Name != name || st.Instruction != "RUN printf 'a\nb' \x1b]0;pwned\x07" {
		t.Errorf("step name %q, instruction %q: want them exact", st.Name, st.Instruction)
	}
}

// Two builds at once on one builder share the vertex of a FROM they both
// have: BuildKit runs it once and names it after the stage of whichever
// build asked first, or with no stage label when that build has one
// stage ("[1/2] FROM …", which was dropped from the stages: a helper saw
// the FROM step gone from a record when a one-stage build ran beside
// it). The other build files it under its own stage with that base, with
// no stage of BuildKit's name and no warning.
func TestFoldFROMNamedByAnotherBuild(t *testing.T) {
	for _, other := range []string{"[other 1/3]", "[1/2]"} {
		plan := modeltest.LoadPlan(t, "../../testdata/multistage.Dockerfile", nil)
		events := modeltest.LoadEvents(t, "../../testdata/multistage-cold.jsonl")
		for _, e := range events {
			for _, v := range e.Vertexes {
				if strings.HasPrefix(v.Name, "[builder 1/7] FROM ") {
					v.Name = strings.Replace(v.Name, "[builder 1/7]", other, 1)
				}
			}
		}
		b := foldEvents(t, plan, events)
		want := []string{"builder:07:cached", "builder:09:run", "builder:12:run", "builder:14:run", "builder:15:run",
			"builder:17:run", "builder:18:run", "production:24:cached", "production:25:run", "production:26:run"}
		if got := stepSummary(b); !reflect.DeepEqual(got, want) {
			t.Errorf("named %s: steps\n got %v\nwant %v", other, got, want)
		}
		if len(b.Warnings) != 0 {
			t.Errorf("named %s: warnings %+v", other, b.Warnings)
		}
	}
}

// An ADD of a URL is two vertices of one step number, the http source and
// the copy that reads it, which BuildKit announces in either order (the
// recorded build sent the copy first). The source comes first either way:
// a record's order is the same however the build was announced, and the
// recorded inputs (AttachInputs) take the source to be the step before
// its copy.
func TestFoldADDSourceBeforeItsCopy(t *testing.T) {
	plan := modeltest.LoadPlan(t, "testdata/add-http/Dockerfile", nil)
	events := modeltest.LoadEvents(t, "testdata/add-http/events.jsonl")
	reversed := make([]*client.SolveStatus, len(events))
	for i, e := range events {
		r := *e
		r.Vertexes = append([]*client.Vertex(nil), e.Vertexes...)
		slices.Reverse(r.Vertexes)
		reversed[i] = &r
	}
	for name, evs := range map[string][]*client.SolveStatus{"as recorded": events, "each update's vertices reversed": reversed} {
		b := foldEvents(t, plan, evs)
		var add []model.Step
		for _, st := range b.Stages[0].Steps {
			if st.Line == 2 {
				add = append(add, st)
			}
		}
		if len(add) != 2 || !strings.HasPrefix(add[0].Digest, "sha256:5e61a17f6aac") || !strings.HasPrefix(add[1].Digest, "sha256:731a7a723d26") {
			var got []string
			for _, st := range add {
				got = append(got, st.Digest[:19])
			}
			t.Errorf("%s: line 2's steps are %v, want the http source sha256:5e61a17f6aac, then its copy sha256:731a7a723d26", name, got)
		}
	}
}
