package fold

import (
	"strings"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// ForeignInput is what a builder's history record gives to rebuild a
// Build: its status stream (the log blob), and from its provenance the
// Dockerfile and the LLB.
type ForeignInput struct {
	Events []*client.SolveStatus
	// Dockerfile is the Dockerfile's text from the provenance, nil when
	// the record keeps none.
	Dockerfile []byte
	// DockerfileName is its name as the client sent it ("Dockerfile").
	DockerfileName string
	// LLB is the normalised LLB op digest of every vertex (NormalizeLLB).
	LLB map[string]string
}

// FoldForeign fills b (its ID, status, times and origin already set) from
// a foreign record: steps mapped to the stages and lines of the
// Dockerfile when the record keeps it (else to the stages BuildKit
// names), cache hits from the status, and the inputs `why` compares —
// the instruction, its args and env, BuildKit's op digest, and the
// context paths a step selects (the builder keeps no per-file digests).
// A Dockerfile that does not parse is kept as a warning; the steps are
// then folded as without one.
func Foreign(b *model.Build, in ForeignInput) *model.Build {
	var plan *dockerfile.Plan
	if in.Dockerfile != nil {
		auto := dockerfile.AutoArgs{Stage: b.Target}
		if len(b.Platforms) > 0 {
			if ps, err := dockerfile.ParsePlatforms(b.Platforms[:1]); err == nil && len(ps) == 1 {
				auto.Target = &ps[0]
			}
		}
		p, err := dockerfile.ParseFor(in.DockerfileName, in.Dockerfile, b.BuildArgs, auto)
		if err != nil {
			b.Warnings = append(b.Warnings, model.Warning{Short: "the Dockerfile in the build's provenance does not parse: " + err.Error()})
		} else {
			plan = p
		}
	}
	f := New(b, plan)
	for _, s := range in.Events {
		f.Add(s)
	}
	f.Build()
	if plan == nil {
		return b
	}
	none := func(string, []string) (map[string]string, error) { return nil, nil }
	_ = AttachInputs(b, plan, none) // cannot fail: the hash never does
	for si := range b.Stages {
		ps := plan.Stage(b.Stages[si].Name)
		for k := range b.Stages[si].Steps {
			st := &b.Stages[si].Steps[k]
			if st.Inputs == nil {
				continue
			}
			if d, ok := in.LLB[st.Digest]; ok {
				st.Inputs.LLB = d
			}
			if ps == nil {
				continue
			}
			if ins := dockerfile.InstructionAt(ps, st.Line); ins != nil && len(ins.Sources) > 0 {
				st.Inputs.Selected = append([]string(nil), ins.Sources...)
			}
		}
	}
	return b
}

// ForeignBuildArgs are the build args of a frontend's attributes
// ("build-arg:NAME" → NAME).
func ForeignBuildArgs(attrs map[string]string) map[string]string {
	var out map[string]string
	for k, v := range attrs {
		if name, ok := strings.CutPrefix(k, "build-arg:"); ok {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
		}
	}
	return out
}
