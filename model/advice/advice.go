package advice

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
)

// Advice rules: the practices the seeds' teams follow, checked against a
// Dockerfile and the build that ran it.
const (
	// AdviceManifestsFirst: a dependency install runs after the whole
	// context was copied, so any source edit re-runs it.
	ManifestsFirst = "manifests-before-sources"
	// AdviceBindMount: a file copied from the context for the next RUN
	// alone, which a --mount=type=bind would read without a layer.
	BindMount = "bind-mount-over-copy"
	// AdviceSecretLeak: a secret-looking ARG or ENV whose value the image
	// keeps (its config, or its history's created_by).
	SecretLeak = "secret-leak"
	// AdviceDockerignore: no .dockerignore, and the context holds what
	// no image needs.
	Dockerignore = "dockerignore"
)

// ContextFacts is what advice needs to know of the build context, found by
// the caller (the model does no I/O).
type ContextFacts struct {
	// Dockerignore says the context has a .dockerignore.
	Dockerignore bool
	// Unneeded are directories no image needs (.git, node_modules, …)
	// present in the context, with their size in bytes.
	Unneeded map[string]int64
}

var (
	installRE = regexp.MustCompile(`\b(pip3?|pipenv|poetry|uv)\s+(install|sync|wheel)\b|\b(npm|pnpm)\s+(ci|install|i)\b|\byarn(\s+install)?\s*(&&|;|$)|\bbundle\s+install\b|\bgo\s+mod\s+download\b|\bcargo\s+(fetch|build)\b|\bcomposer\s+install\b|\bmix\s+deps\.get\b|\brebar3\s+(get-deps|compile)\b|\bmvn\b.*\b(dependency:|install|package)\b`)
	secretRE  = regexp.MustCompile(`(?i)(passw(or)?d|secret|token|api_?key|private_?key|credential|auth)`)
)

// Advise checks the stages build b ran of plan against the seeds'
// practices. Steps of b (by stage and line) give the costs.
func Advise(plan *dockerfile.Plan, b *model.Build, facts ContextFacts) []model.Advice {
	if plan == nil || len(plan.Stages) == 0 {
		return nil
	}
	stages, err := plan.Reachable(b.Target)
	if err != nil {
		return nil
	}
	steps := map[string]model.Step{}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			steps[s.Name+"\x00"+fmt.Sprint(st.Line)] = st
		}
	}
	step := func(stage string, line int) (model.Step, bool) {
		st, ok := steps[stage+"\x00"+fmt.Sprint(line)]
		return st, ok
	}
	var out []model.Advice
	copiesAll := false
	for _, i := range stages {
		ps := plan.Stages[i]
		out = append(out, manifestsFirst(ps, step)...)
		out = append(out, bindMounts(ps, step)...)
		out = append(out, secretLeaks(ps, b.BuildArgs)...)
		for _, in := range ps.Instructions {
			copiesAll = copiesAll || wholeContext(in)
		}
	}
	if !facts.Dockerignore {
		out = append(out, dockerignore(facts, copiesAll)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// wholeContext says a COPY or ADD takes the whole build context.
func wholeContext(in dockerfile.Instruction) bool {
	if in.Keyword != "COPY" && in.Keyword != "ADD" {
		return false
	}
	for _, s := range in.Sources {
		if c := path.Clean(s); c == "." || c == "/" || c == "*" {
			return true
		}
	}
	return false
}

func manifestsFirst(ps dockerfile.PlannedStage, step func(string, int) (model.Step, bool)) []model.Advice {
	var out []model.Advice
	copied := 0 // line of the COPY . seen so far in the stage
	for _, in := range ps.Instructions {
		if wholeContext(in) && copied == 0 {
			copied = in.Line
			continue
		}
		if copied == 0 || in.Keyword != "RUN" || !installRE.MatchString(in.Text) {
			continue
		}
		a := model.Advice{Rule: ManifestsFirst, Line: in.Line, Message: fmt.Sprintf(
			"the dependency install runs after line %d copied the whole context: any source edit re-runs it; copy the manifests (package.json, requirements.txt, go.mod, …) and install before copying the sources", copied)}
		if st, ok := step(ps.Name, in.Line); ok && !st.Cached && st.Duration() > 0 {
			a.CostSeconds = st.Duration().Seconds()
			a.Message += fmt.Sprintf(" (it took %s in this build)", st.Duration().Round(10*time.Millisecond))
		}
		out = append(out, a)
	}
	return out
}

// bindMounts flags a COPY of single files from the context that only the
// next RUN reads (it names each of them) and no later instruction of the
// stage mentions: `RUN --mount=type=bind,source=F,target=F` reads them
// with no layer.
func bindMounts(ps dockerfile.PlannedStage, step func(string, int) (model.Step, bool)) []model.Advice {
	var out []model.Advice
	ins := ps.Instructions
	for k := 0; k+1 < len(ins); k++ {
		in, next := ins[k], ins[k+1]
		if in.Keyword != "COPY" || len(in.Sources) == 0 || len(in.FromStages) > 0 || next.Keyword != "RUN" {
			continue
		}
		single := true
		for _, s := range in.Sources {
			base := path.Base(s)
			if strings.HasSuffix(s, "/") || strings.ContainsAny(base, "*?[") || base == "." || !strings.Contains(next.Text, base) {
				single = false
				break
			}
			for _, later := range ins[k+2:] {
				if strings.Contains(later.Text, base) {
					single = false
				}
			}
		}
		if !single {
			continue
		}
		a := model.Advice{Rule: BindMount, Line: in.Line, Message: fmt.Sprintf(
			"%s is read only by the RUN at line %d: mount it there with --mount=type=bind,source=…,target=… instead of copying it into a layer", strings.Join(in.Sources, ", "), next.Line)}
		if st, ok := step(ps.Name, in.Line); ok && st.SizeBytes != nil && *st.SizeBytes > 0 {
			a.CostBytes = *st.SizeBytes
			a.Message += fmt.Sprintf(" (the layer is %s)", model.HumanSize(*st.SizeBytes))
		}
		out = append(out, a)
	}
	return out
}

// secretLeaks flags ENV with a secret-looking name and a value (the image
// config keeps it), and ARG with one that a RUN uses with a value passed
// or defaulted (the image history's created_by keeps it).
func secretLeaks(ps dockerfile.PlannedStage, buildArgs map[string]string) []model.Advice {
	var out []model.Advice
	for k, in := range ps.Instructions {
		fields := strings.Fields(in.Text)
		if len(fields) < 2 || (in.Keyword != "ENV" && in.Keyword != "ARG") {
			continue
		}
		name, def, hasDef := strings.Cut(fields[1], "=")
		if !secretRE.MatchString(name) {
			continue
		}
		switch in.Keyword {
		case "ENV":
			if (hasDef && def != "") || len(fields) > 2 {
				out = append(out, model.Advice{Rule: SecretLeak, Line: in.Line, Message: fmt.Sprintf(
					"leak: ENV %s puts its value in the image's config, readable by anyone who pulls the image: pass it with --secret and RUN --mount=type=secret", name)})
			}
		case "ARG":
			v, passed := buildArgs[name]
			if !(passed && v != "") && !(hasDef && def != "") {
				continue
			}
			for _, later := range ps.Instructions[k+1:] {
				if later.Keyword == "RUN" {
					out = append(out, model.Advice{Rule: SecretLeak, Line: in.Line, Message: fmt.Sprintf(
						"leak: ARG %s has a value and the RUN at line %d sees it: the image's history records it; pass it with --secret and RUN --mount=type=secret", name, later.Line)})
					break
				}
			}
		}
	}
	return out
}

func dockerignore(facts ContextFacts, copiesAll bool) []model.Advice {
	a := model.Advice{Rule: Dockerignore, Message: "the context has no .dockerignore"}
	var dirs []string
	for d, n := range facts.Unneeded {
		dirs = append(dirs, d)
		a.CostBytes += n
	}
	sort.Strings(dirs)
	switch {
	case len(dirs) > 0 && copiesAll:
		a.Message += fmt.Sprintf(": the whole context is copied, with %s (%s) no image needs; ignore them", strings.Join(dirs, ", "), model.HumanSize(a.CostBytes))
	case len(dirs) > 0:
		a.Message += fmt.Sprintf(": %s (%s) are sent to the builder when a COPY takes them; ignore them", strings.Join(dirs, ", "), model.HumanSize(a.CostBytes))
	default:
		a.Message += ": add one so that files no image needs stay out of the build"
		a.CostBytes = 0
	}
	return []model.Advice{a}
}

// AdviceText is advice as `history show` prints it, one line each, beside
// BuildKit's own warnings.
func Text(advice []model.Advice) string {
	var w strings.Builder
	for _, a := range advice {
		at := ""
		if a.Line > 0 {
			at = fmt.Sprintf("line %d: ", a.Line)
		}
		fmt.Fprintf(&w, "advice: %s%s: %s\n", at, a.Rule, model.Printable(a.Message))
	}
	return w.String()
}
