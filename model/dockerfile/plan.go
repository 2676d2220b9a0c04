package dockerfile

import (
	"fmt"
	"strings"

	"github.com/distribution/reference"

	"github.com/buildscope/buildscope/model"
)

// HasCacheMounts says whether any instruction of the plan mounts a cache.
func (p *Plan) HasCacheMounts() bool {
	for _, s := range p.Stages {
		for _, ins := range s.Instructions {
			if len(ins.CacheMounts) > 0 {
				return true
			}
		}
	}
	return false
}

// Plan is what a Dockerfile says will be built: its stages in order, each
// with the instructions BuildKit turns into steps.
type Plan struct {
	Stages []PlannedStage
}

// PlannedStage is one stage of a Plan.
type PlannedStage struct {
	// Name is the stage's name as buildscope reports it: the name given
	// with AS, else "stage-N" as BuildKit calls unnamed stages.
	Name string
	// Named says the Dockerfile gave the name (AS name).
	Named bool
	Index int
	// Base is the FROM argument with build args expanded.
	Base string
	// BaseStage is the index of the stage this one starts from, or -1.
	BaseStage int
	// DependsOn are the names of the stages this one reads from.
	DependsOn []string
	// Instructions are all instructions of the stage, FROM first.
	Instructions []Instruction
	// Steps maps BuildKit's step number N (1-based, "[N/M]") to an index
	// into Instructions.
	Steps []int

	endArgs, endEnv map[string]string // the scope after the last instruction
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	Keyword string // upper case: RUN, COPY, …
	Text    string // the instruction as written, on one line
	Line    int    // first line in the Dockerfile, 1-based
	// Args and Env are, for a RUN, the build args and environment in
	// scope when it runs (what reaches it), by name; nil for the other
	// instructions. RUNs between two ARG or ENV lines share the same maps:
	// read them, never write to them.
	Args map[string]string
	Env  map[string]string
	// Sources are the paths a COPY or ADD takes from the build context, or
	// a RUN binds from it (--mount=type=bind without from=; "." for all).
	Sources []string
	// Named are the paths taken the same way from a context that is not a
	// stage (COPY --from=NAME, RUN --mount=…,from=NAME), by NAME: a named
	// build context (--build-context NAME=DIR) or an image.
	Named map[string][]string
	// FromStages are the stages the instruction reads (COPY --from,
	// RUN --mount from=).
	FromStages []string
	// CacheMounts are a RUN's --mount=type=cache.
	CacheMounts []model.CacheMount
}

// Stage returns the planned stage with the given name, or nil.
func (p *Plan) Stage(name string) *PlannedStage {
	for i := range p.Stages {
		if strings.EqualFold(p.Stages[i].Name, name) {
			return &p.Stages[i]
		}
	}
	return nil
}

// Named reports whether the stage called name was named in the Dockerfile.
func (p *Plan) Named(name string) bool {
	s := p.Stage(name)
	return s != nil && s.Named
}

// StageNames lists the stage names in order.
func (p *Plan) StageNames() []string {
	names := make([]string, len(p.Stages))
	for i, s := range p.Stages {
		names[i] = s.Name
	}
	return names
}

// Reachable returns the indexes of the stages needed to build target (the
// last stage when target is empty), in Dockerfile order.
func (p *Plan) Reachable(target string) ([]int, error) {
	t := len(p.Stages) - 1
	if target != "" {
		s := p.Stage(target)
		if s == nil {
			return nil, fmt.Errorf("target stage %q not found: the Dockerfile has stages %s", target, strings.Join(p.StageNames(), ", "))
		}
		t = s.Index
	}
	need := map[int]bool{}
	var visit func(i int)
	visit = func(i int) {
		if need[i] {
			return
		}
		need[i] = true
		for _, d := range p.Stages[i].DependsOn {
			visit(p.Stage(d).Index)
		}
	}
	visit(t)
	out := make([]int, 0, len(need))
	for i := range p.Stages {
		if need[i] {
			out = append(out, i)
		}
	}
	return out, nil
}

// NormalizeRef is an image reference without digest, in its normal form
// (docker.io/library/busybox:latest for busybox).
func NormalizeRef(ref string) string {
	ref, _, _ = strings.Cut(ref, "@")
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}

// InstructionAt is the instruction of stage ps at Dockerfile line, nil
// when none starts there.
func InstructionAt(ps *PlannedStage, line int) *Instruction {
	for i := range ps.Instructions {
		if ps.Instructions[i].Line == line {
			return &ps.Instructions[i]
		}
	}
	return nil
}
