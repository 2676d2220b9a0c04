package build

import (
	"errors"
	"fmt"
	"sort"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// InputsOf are the inputs of recorded build b, to build it again on the
// user's behalf (stages build:ID measures a bake target's stages with the
// target's Dockerfile, stage, args and platforms): its context, Dockerfile,
// target, build args and platforms. A record keeps no secrets, SSH agents
// or named contexts; those come from the caller.
func InputsOf(b *model.Build) (Inputs, error) {
	if b.Origin != nil {
		return Inputs{}, fmt.Errorf("build %s was not run by buildscope here (its context is not known): give stages the build's PATH", b.ID)
	}
	if b.Context == "" {
		return Inputs{}, errors.New("build " + b.ID + " records no context: give stages the build's PATH")
	}
	in := Inputs{ContextDir: b.Context, Dockerfile: b.Dockerfile, Target: b.Target, Platforms: b.Platforms}
	for k, v := range b.BuildArgs {
		in.BuildArgs = append(in.BuildArgs, k+"="+v)
	}
	sort.Strings(in.BuildArgs)
	return in, nil
}

// UsedNamedContexts says whether a step of b read a named build context
// (--build-context), which the record does not keep.
func UsedNamedContexts(b *model.Build) bool {
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.Inputs != nil && (len(st.Inputs.Contexts) > 0 || len(st.Inputs.ContextRefs) > 0) {
				return true
			}
		}
	}
	return false
}

// RebuildOptions are o with the inputs of the recorded build id of h (see
// InputsOf) in place of its context, Dockerfile, target, build args and
// platforms; o's secrets, SSH agents, named contexts and cache flags,
// which records do not keep, stay. A build that read named contexts needs
// them in o. changed says which of the command's flags the user set: those
// the record gives are refused. on is the builder the build ran on (its
// --builder value), where builds on its behalf run too.
func RebuildOptions(h history.History, id string, o Options, changed func(flag string) bool) (opts Options, on string, err error) {
	for _, name := range []string{"file", "target", "build-arg", "platform"} {
		if changed(name) {
			return o, "", fmt.Errorf("stages build:ID takes the Dockerfile, target, build args and platforms from the record: drop --%s, or give stages a PATH", name)
		}
	}
	rec, err := h.Get(id)
	if err != nil {
		return o, "", err
	}
	if UsedNamedContexts(rec) && len(o.BuildContexts) == 0 {
		return o, "", fmt.Errorf("build %s read named build contexts, which records do not keep: give them with --build-context", rec.ID)
	}
	in, err := InputsOf(rec)
	if err != nil {
		return o, "", err
	}
	in.Secrets, in.SSH, in.BuildContexts = o.Secrets, o.SSH, o.BuildContexts
	in.NoCache, in.NoCacheFilter = o.NoCache, o.NoCacheFilter
	o.Inputs = in
	return o, rec.Builder, nil
}
