package model

import (
	"fmt"
	"strings"

	"github.com/moby/buildkit/client"
)

// Origin says where a build buildscope did not run comes from.
type Origin struct {
	// Ref is BuildKit's ref of the build in the builder's history.
	Ref string `json:"ref"`
	// By is who made it: "buildscope", or "other" (buildx, buildctl, CI…);
	// BuildKit's history does not name the client.
	By string `json:"by"`
	// Frontend is the frontend the build ran ("dockerfile.v0").
	Frontend string `json:"frontend,omitempty"`
	// Imported is the bundle file the record was imported from.
	Imported string `json:"imported,omitempty"`
	// Missing says what the record lacks to be explained, "" if nothing.
	Missing string `json:"missing,omitempty"`
}

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
func FoldForeign(b *Build, in ForeignInput) *Build {
	var plan *Plan
	if in.Dockerfile != nil {
		auto := AutoArgs{Stage: b.Target}
		if len(b.Platforms) > 0 {
			if ps, err := ParsePlatforms(b.Platforms[:1]); err == nil && len(ps) == 1 {
				auto.Target = &ps[0]
			}
		}
		p, err := ParseDockerfileFor(in.DockerfileName, in.Dockerfile, b.BuildArgs, auto)
		if err != nil {
			b.Warnings = append(b.Warnings, Warning{Short: "the Dockerfile in the build's provenance does not parse: " + err.Error()})
		} else {
			plan = p
		}
	}
	f := NewFolder(b, plan)
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
			if ins := instructionAt(ps, st.Line); ins != nil && len(ins.Sources) > 0 {
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

// Text is the origin as `history show` prints it under the build's
// header: whose build it is and what its record lacks.
func (o *Origin) Text() string {
	if o == nil {
		return ""
	}
	var w strings.Builder
	from := "the builder's history"
	if o.Imported != "" {
		from = "bundle " + Printable(o.Imported)
	}
	fmt.Fprintf(&w, "  origin     ref %s from %s, made by %s", Printable(o.Ref), from, o.By)
	if o.Frontend != "" {
		fmt.Fprintf(&w, " (frontend %s)", Printable(o.Frontend))
	}
	w.WriteString("\n")
	if o.Missing != "" {
		fmt.Fprintf(&w, "  lacks      %s\n", Printable(o.Missing))
	}
	return w.String()
}
