package fold

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// HashFunc returns the content digests of the files that sources select
// in a context: "" is the build context, else a named context. A name that
// is no local directory (an image) yields nil.
type HashFunc func(context string, sources []string) (map[string]string, error)

// AttachInputs records on every step of b what went into it (see
// StepInputs). hash is called only for steps that read context files
// (COPY, ADD, RUN --mount=type=bind).
func AttachInputs(b *model.Build, plan *dockerfile.Plan, hash HashFunc) error {
	if plan == nil {
		return nil
	}
	last := map[string]*model.Step{} // stage name → its last step
	for si := range b.Stages {
		st := &b.Stages[si]
		ps := plan.Stage(st.Name)
		if ps == nil {
			continue
		}
		var prev *model.Step
		if ps.BaseStage >= 0 {
			prev = last[plan.Stages[ps.BaseStage].Name]
		} else if from := fromStep(b, ps); from != nil && (len(st.Steps) == 0 || !strings.HasPrefix(st.Steps[0].Instruction, "FROM ")) {
			prev = from // the FROM vertex BuildKit shared with another stage
		}
		var source *model.Step // an ADD's remote source, read by the step after it
		for k := range st.Steps {
			step := &st.Steps[k]
			ins := dockerfile.InstructionAt(ps, step.Line)
			in := &model.StepInputs{}
			// ADD <url> or <git> is two vertices of one name: the source,
			// which builds on nothing (the fold puts it first), and the
			// copy, which reads it into the step before
			isSource := k+1 < len(st.Steps) && st.Steps[k+1].Name == step.Name && strings.HasPrefix(step.Instruction, "ADD ")
			if prev != nil && !isSource {
				in.Parents = append(in.Parents, prev.Digest)
			}
			if source != nil {
				in.Parents = append(in.Parents, source.Digest)
				source = nil
			}
			if ins != nil {
				in.Text = ins.Text
				for _, f := range ins.FromStages {
					if p := last[f]; p != nil {
						in.Parents = append(in.Parents, p.Digest)
					}
				}
				if ins.Keyword == "RUN" {
					in.Args, in.Env = ins.Args, ins.Env
				}
				if len(ins.Sources) > 0 {
					files, err := hash("", ins.Sources)
					if err != nil {
						return fmt.Errorf("hashing the context files of line %d: %w", ins.Line, err)
					}
					in.Files = files
				}
				for name, srcs := range ins.Named {
					files, err := hash(name, srcs)
					if err != nil {
						return fmt.Errorf("hashing the files of context %s at line %d: %w", name, ins.Line, err)
					}
					if files != nil {
						if in.Contexts == nil {
							in.Contexts = map[string]map[string]string{}
						}
						in.Contexts[name] = files
					}
				}
			}
			if strings.HasPrefix(step.Instruction, "FROM ") {
				in.Base = strings.TrimPrefix(step.Instruction, "FROM ")
			}
			in.Key = inputKey(b, step, in)
			step.Inputs = in
			if isSource {
				source = step
				continue
			}
			prev = step
		}
		if prev != nil {
			last[st.Name] = prev
		}
	}
	return nil
}

// fromStep finds the step that pulled a stage's base image, wherever
// BuildKit filed it.
func fromStep(b *model.Build, ps *dockerfile.PlannedStage) *model.Step {
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			s := &b.Stages[si].Steps[k]
			if strings.HasPrefix(s.Instruction, "FROM "+ps.Base) {
				return s
			}
		}
	}
	return nil
}

// inputKey digests a step's inputs with its parents' keys.
func inputKey(b *model.Build, step *model.Step, in *model.StepInputs) string {
	h := sha256.New()
	// the bytes fmt's "%s=%q\n" writes, without fmt: a 20k-file COPY
	// writes 20k lines
	var line []byte
	w := func(k, v string) {
		line = append(append(line[:0], k...), '=')
		line = append(strconv.AppendQuote(line, v), '\n')
		h.Write(line)
	}
	w("instruction", step.Instruction)
	w("text", in.Text)
	w("base", in.Base)
	w("platforms", strings.Join(b.Platforms, ","))
	for _, m := range []struct {
		name string
		kv   map[string]string
	}{{"arg", in.Args}, {"env", in.Env}, {"file", in.Files}} {
		for _, k := range slices.Sorted(maps.Keys(m.kv)) {
			w(m.name+":"+k, m.kv[k])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(in.Contexts)) {
		for _, k := range slices.Sorted(maps.Keys(in.Contexts[name])) {
			w("context:"+name+":"+k, in.Contexts[name][k])
		}
	}
	for _, p := range in.Parents {
		if ps := findStep(b, p); ps != nil && ps.Inputs != nil {
			w("parent", ps.Inputs.Key)
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func findStep(b *model.Build, digest string) *model.Step {
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			if b.Stages[si].Steps[k].Digest == digest {
				return &b.Stages[si].Steps[k]
			}
		}
	}
	return nil
}
