package fold

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// stepName matches BuildKit's vertex names for Dockerfile steps:
// "[builder 2/5] RUN make", "[linux/amd64 stage-1 1/3] FROM …", "[2/3] COPY …".
// The text may span lines (a RUN quoting a newline): (?s) lets . match one.
var stepName = regexp.MustCompile(`(?s)^\[([^\]]*?)\s*(\d+)/(\d+)\]\s+(.*)$`)

// Folder folds a stream of BuildKit SolveStatus events into a Build,
// mapping every vertex to the stage and instruction of the Plan it came
// from. Updates may arrive out of order and repeat; Folder merges them.
type Folder struct {
	build  *model.Build
	plan   *dockerfile.Plan
	stages map[int]int // plan stage index → index in build.Stages
	where  map[string]stepPos
	order  map[string]int      // vertex digest → step number within its stage
	inputs map[string][]string // vertex digest → its inputs' digests
}

type stepPos struct {
	stage int // index in build.Stages, -1 for Other
	step  int
}

// NewFolder returns a Folder filling b, whose Stages it sets from the plan's
// stages reachable from b.Target. plan may be nil (no Dockerfile known).
func New(b *model.Build, plan *dockerfile.Plan) *Folder {
	var idx []int
	if plan != nil {
		var err error
		if idx, err = plan.Reachable(b.Target); err != nil {
			idx = nil
			for i := range plan.Stages {
				idx = append(idx, i)
			}
		}
	}
	return newFolder(b, plan, idx)
}

// NewBakeFolder returns a Folder filling b with the builds of several
// targets of one Dockerfile (a bake): its Stages are the plan's stages
// reachable from any of them, each once, as BuildKit runs the work they
// share once.
func NewBake(b *model.Build, plan *dockerfile.Plan, targets []string) *Folder {
	if plan == nil {
		return newFolder(b, nil, nil)
	}
	need := map[int]bool{}
	for _, t := range targets {
		idx, _ := plan.Reachable(t)
		for _, i := range idx {
			need[i] = true
		}
	}
	var idx []int
	for i := range plan.Stages {
		if need[i] {
			idx = append(idx, i)
		}
	}
	return newFolder(b, plan, idx)
}

func newFolder(b *model.Build, plan *dockerfile.Plan, idx []int) *Folder {
	f := &Folder{build: b, plan: plan, stages: map[int]int{}, where: map[string]stepPos{}, order: map[string]int{}, inputs: map[string][]string{}}
	if plan != nil {
		b.Stages = b.Stages[:0]
		for _, i := range idx {
			f.stages[i] = len(b.Stages)
			b.Stages = append(b.Stages, plannedStage(plan, i))
		}
	}
	return f
}

// plannedStage is the record's stage of plan's stage i, with no steps
// yet.
func plannedStage(plan *dockerfile.Plan, i int) model.Stage {
	ps := plan.Stages[i]
	st := model.Stage{Name: ps.Name, Index: ps.Index, Base: ps.Base, DependsOn: ps.DependsOn, Steps: []model.Step{}}
	if len(ps.Instructions) > 0 {
		st.Line = ps.Instructions[0].Line
	}
	if i+1 < len(plan.Stages) && len(plan.Stages[i+1].Instructions) > 0 {
		st.EndLine = plan.Stages[i+1].Instructions[0].Line - 1
	}
	return st
}

// Add folds one status update into the build.
func (f *Folder) Add(s *client.SolveStatus) {
	for _, v := range s.Vertexes {
		f.vertex(v)
	}
	for _, x := range s.Statuses {
		f.pulled(x)
	}
	for _, w := range s.Warnings {
		wn := model.Warning{Short: string(w.Short), URL: w.URL}
		if len(w.Range) > 0 && w.Range[0].Start != nil {
			wn.Line = int(w.Range[0].Start.Line)
		}
		f.build.Warnings = AppendWarning(f.build.Warnings, wn)
	}
}

// AppendWarning appends w to ws unless ws holds it already (BuildKit
// repeats a warning for each solve that reaches it).
func AppendWarning(ws []model.Warning, w model.Warning) []model.Warning {
	for _, x := range ws {
		if x == w {
			return ws
		}
	}
	return append(ws, w)
}

func (f *Folder) vertex(v *client.Vertex) {
	d := v.Digest.String()
	pos, ok := f.where[d]
	if !ok {
		pos = f.place(v)
		f.where[d] = pos
	}
	st := f.stepAt(pos)
	merge(st, v)
}

// place creates the step for a vertex seen for the first time.
func (f *Folder) place(v *client.Vertex) stepPos {
	step := model.Step{Name: v.Name, Instruction: v.Name, Digest: v.Digest.String()}
	si, label, n, text, ok := f.stageOf(v.Name)
	if !ok {
		f.build.Other = append(f.build.Other, step)
		return stepPos{stage: -1, step: len(f.build.Other) - 1}
	}
	step.Instruction = text
	var bi int
	if si >= 0 {
		ps := f.plan.Stages[si]
		if n >= 1 && n <= len(ps.Steps) {
			step.Line = ps.Instructions[ps.Steps[n-1]].Line
		}
		bi = f.planned(si)
	} else {
		bi = f.unmapped(label)
	}
	f.order[step.Digest] = n
	for _, in := range v.Inputs {
		f.inputs[step.Digest] = append(f.inputs[step.Digest], in.String())
	}
	steps := f.build.Stages[bi].Steps
	// keep steps ordered by step number; equal numbers (platforms, or an
	// ADD's source and its copy) keep arrival order, except that a step
	// comes before the step of its number that it is an input of: BuildKit
	// announces the two in either order
	at := sort.Search(len(steps), func(k int) bool { return f.order[steps[k].Digest] > n })
	for k := range at {
		if f.order[steps[k].Digest] == n && slices.Contains(f.inputs[steps[k].Digest], step.Digest) {
			at = k
			break
		}
	}
	steps = append(steps, model.Step{})
	copy(steps[at+1:], steps[at:])
	steps[at] = step
	f.build.Stages[bi].Steps = steps
	for k := at + 1; k < len(steps); k++ {
		f.where[steps[k].Digest] = stepPos{stage: bi, step: k}
	}
	return stepPos{stage: bi, step: at}
}

// planned is the build stage of plan stage si, added when BuildKit runs a
// stage the plan did not find reachable (a stage chosen by an arg whose
// value only the builder knew): what BuildKit runs is never dropped.
func (f *Folder) planned(si int) int {
	if bi, ok := f.stages[si]; ok {
		return bi
	}
	f.stages[si] = len(f.build.Stages)
	f.build.Stages = append(f.build.Stages, plannedStage(f.plan, si))
	return f.stages[si]
}

// unmapped is the build stage for a stage label BuildKit printed that is
// not in the plan at all. Its steps are kept under BuildKit's name, with
// index -1, and a warning says the mapping failed.
func (f *Folder) unmapped(label string) int {
	for i, s := range f.build.Stages {
		if s.Index < 0 && s.Name == label {
			return i
		}
	}
	f.build.Stages = append(f.build.Stages, model.Stage{Name: label, Index: -1, Steps: []model.Step{}})
	if f.plan != nil {
		f.build.Warnings = AppendWarning(f.build.Warnings, model.Warning{Short: fmt.Sprintf(
			"BuildKit ran stage %q, which is not a stage of the Dockerfile as buildscope read it: its steps are recorded under BuildKit's name", label)})
	}
	return len(f.build.Stages) - 1
}

// stageOf finds the plan stage (or -1) and step number a vertex name
// refers to; label is the stage name BuildKit printed. Without a plan (a
// build someone else started), every labelled step goes to the stage
// BuildKit names.
func (f *Folder) stageOf(name string) (stage int, label string, n int, text string, ok bool) {
	m := stepName.FindStringSubmatch(name)
	if m == nil {
		return 0, "", 0, "", false
	}
	n, _ = strconv.Atoi(m[2])
	text = m[4]
	if fields := strings.Fields(m[1]); len(fields) > 0 {
		last := fields[len(fields)-1]
		if !strings.Contains(last, "/") {
			label = last
		}
	}
	if f.plan == nil {
		if label == "" {
			label = "default" // a one-stage Dockerfile's steps carry no label
		}
		return -1, label, n, text, true
	}
	for i, ps := range f.plan.Stages {
		if strings.EqualFold(ps.Name, label) {
			if n == 1 && strings.HasPrefix(text, "FROM ") {
				i = f.firstWithBase(i, strings.TrimPrefix(text, "FROM "))
			}
			return i, label, n, text, true
		}
	}
	// a Dockerfile with one stage may be printed without a stage label
	if label == "" && len(f.plan.Stages) == 1 {
		return 0, "", n, text, true
	}
	// a FROM that another build on the same builder ran at the same time:
	// BuildKit runs the vertex once, under that build's stage name (none
	// when that build has one stage), so it is filed as this build's own
	// FROM of that image
	if n == 1 && strings.HasPrefix(text, "FROM ") {
		if i := f.firstWithBase(-1, strings.TrimPrefix(text, "FROM ")); i >= 0 {
			return i, label, n, text, true
		}
	}
	// so with a later step whose chain (base and the instructions before
	// it) that build had too: it is step n of the stage of this build
	// whose n-th instruction it is, when exactly one stage has it
	if i := f.onlyStageWithStep(n, text); i >= 0 {
		return i, label, n, text, true
	}
	if label == "" {
		return 0, "", 0, "", false
	}
	return -1, label, n, text, true
}

// onlyStageWithStep is the one built stage of the plan whose n-th step
// reads text (spaces aside), or -1 when none or several do.
func (f *Folder) onlyStageWithStep(n int, text string) int {
	found := -1
	want := strings.Join(strings.Fields(text), " ")
	for i, ps := range f.plan.Stages {
		if _, built := f.stages[i]; !built || n < 2 || n > len(ps.Steps) {
			continue
		}
		if strings.Join(strings.Fields(ps.Instructions[ps.Steps[n-1]].Text), " ") == want {
			if found >= 0 {
				return -1
			}
			found = i
		}
	}
	return found
}

// firstWithBase files a FROM vertex that several stages share (BuildKit
// runs it once, under whichever stage's name) under the first stage in
// the Dockerfile that starts from that image, so records agree from one
// build to the next.
func (f *Folder) firstWithBase(named int, ref string) int {
	want := dockerfile.NormalizeRef(ref)
	for i, ps := range f.plan.Stages {
		if _, built := f.stages[i]; built && ps.BaseStage < 0 && dockerfile.NormalizeRef(ps.Base) == want {
			return i
		}
	}
	return named
}

func (f *Folder) stepAt(p stepPos) *model.Step {
	if p.stage < 0 {
		return &f.build.Other[p.step]
	}
	return &f.build.Stages[p.stage].Steps[p.step]
}

// merge applies a vertex update to a step: the earliest start, the latest
// completion, cached once seen cached, the last error.
func merge(st *model.Step, v *client.Vertex) {
	if v.Started != nil && (st.Started == nil || v.Started.Before(*st.Started)) {
		t := *v.Started
		st.Started = &t
	}
	if v.Completed != nil && (st.Completed == nil || v.Completed.After(*st.Completed)) {
		t := *v.Completed
		st.Completed = &t
	}
	if v.Cached {
		st.Cached = true
	}
	if v.Error != "" {
		st.Error = v.Error
	}
}

// Build returns the folded build with its cache summary brought up to
// date: steps that ran or were answered from the cache.
func (f *Folder) Build() *model.Build {
	f.build.Cache = f.build.CountSteps()
	return f.build
}

// StepOf returns the stage name and step for a vertex digest already seen;
// stage is "" for vertices outside any stage.
func (f *Folder) StepOf(digest string) (stage string, step *model.Step, ok bool) {
	p, ok := f.where[digest]
	if !ok {
		return "", nil, false
	}
	if p.stage >= 0 {
		stage = f.build.Stages[p.stage].Name
	}
	return stage, f.stepAt(p), true
}
