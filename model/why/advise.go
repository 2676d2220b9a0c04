package why

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/buildscope/buildscope/model"
)

// cacheFromMountAdvice explains a step that ran in a build importing
// --cache-from with its cache mount empty: the import brings layers, never
// cache mounts (docker/build-push-action#1011, moby/buildkit#1673), so a
// fresh CI runner runs the step as on a first build, whatever it imports.
func cacheFromMountAdvice(cur *model.Build, m Miss, cm model.CacheMountUse) string {
	var refs []string
	for _, ci := range cur.CacheImports {
		refs = append(refs, ci.Ref)
	}
	took := ""
	if st := stepByName(cur, m.Step); st != nil && st.Duration() > 0 {
		took = fmt.Sprintf(" (%s here)", st.Duration().Round(10*time.Millisecond))
	}
	return fmt.Sprintf("line %d ran with its cache mount %s empty although the build imported --cache-from %s: cache mounts are never exported with the build cache, so this runner filled %s from nothing%s; "+
		"reuse the runner's builder, or save the directory yourself (e.g. a CI cache restored into the build context and copied into the mount)",
		m.Line, cm.Target, strings.Join(refs, ", "), model.HumanSize(cm.SizeBytes), took)
}

// ignorable are context files users commonly keep out with .dockerignore.
var ignorable = []string{"*.md", "README*", "LICENSE*", ".git", ".github", "docs", "test", "tests", "*.log", ".env*", "node_modules", "Dockerfile*", ".dockerignore"}

func isIgnorable(file string) bool {
	for _, part := range strings.Split(file, "/") {
		for _, pat := range ignorable {
			if ok, _ := path.Match(pat, part); ok {
				return true
			}
		}
	}
	return false
}

// advise applies the seeds' practices to the misses: install dependencies
// from their manifests before copying the sources, and keep files the
// image does not need out of the context.
func advise(cur *model.Build, misses []Miss) []string {
	var out []string
	for _, cm := range cur.CacheMounts {
		for _, m := range misses {
			if m.Stage != cm.Stage || m.Line != cm.Line {
				continue
			}
			switch {
			case cm.Unknown != "":
				out = append(out, fmt.Sprintf("whether line %d found its cache mount %s warm is not known: %s", m.Line, cm.Target, cm.Unknown))
			case cm.Warm:
				out = append(out, fmt.Sprintf("line %d ran with its cache mount %s warm (%s on the builder): a CI runner that only imports --cache-from finds it empty, as cache mounts are never exported with the build cache", m.Line, cm.Target, model.HumanSize(cm.SizeBytes)))
			case len(cur.CacheImports) > 0:
				out = append(out, cacheFromMountAdvice(cur, m, cm))
			default:
				out = append(out, fmt.Sprintf("line %d ran with its cache mount %s empty: a first use, a pruned builder, or a CI runner that only imported --cache-from (cache mounts are never exported with the build cache); keep the runner's builder, or export the directory yourself", m.Line, cm.Target))
			}
		}
	}
	for _, m := range misses {
		if m.Reason != ReasonContext {
			continue
		}
		files := m.Detail.Files
		ins := stepByName(cur, m.Step)
		broad := ins != nil && isBroadCopy(ins.Instruction)
		var runs []string
		for _, d := range misses {
			if d.Reason == ReasonParent && d.Detail.Root == m.Step && strings.Contains(d.Step, "] RUN ") {
				runs = append(runs, fmt.Sprintf("line %d", d.Line))
			}
		}
		if broad && len(runs) > 0 {
			out = append(out, fmt.Sprintf("the RUN at %s re-ran only because %q (line %d) copied changed files (%s): copy the dependency manifests and install from them before copying the rest of the sources, so that editing sources keeps those steps cached",
				strings.Join(runs, ", "), ins.Instruction, m.Line, strings.Join(head(files, 3), ", ")))
		}
		// files the change took out of the context (a .dockerignore
		// that now excludes them) are not advised to be excluded again
		present := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return slices.Contains(m.Detail.Removed, f) })
		allIgnorable := len(present) > 0
		for _, f := range present {
			allIgnorable = allIgnorable && isIgnorable(f)
		}
		if allIgnorable {
			out = append(out, fmt.Sprintf("line %d missed only because of %s, which the image likely does not need: exclude them in .dockerignore", m.Line, strings.Join(head(present, 3), ", ")))
		}
	}
	return out
}

func isBroadCopy(instruction string) bool {
	f := strings.Fields(instruction)
	if len(f) < 3 || (f[0] != "COPY" && f[0] != "ADD") {
		return false
	}
	for _, src := range f[1 : len(f)-1] {
		if src == "." || src == "./" || src == "*" {
			return true
		}
	}
	return false
}
