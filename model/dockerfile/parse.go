package dockerfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/buildscope/buildscope/model"
)

// MaxScopeEntries bounds the build args and environment variables the
// RUN instructions of a Dockerfile see, summed over the RUNs: each RUN's
// are kept in the plan and recorded with its step, so a Dockerfile of
// ENV and RUN lines alternating asks for memory that grows with their
// product (20,000 such lines: 3.3 GB; 5,000 are 3.1 million variables,
// 216 MB). A real Dockerfile sees thousands.
const MaxScopeEntries = 4_000_000

// ParseError is a Dockerfile that does not parse; it names the line.
type ParseError struct {
	File string
	Line int
	Msg  string
}

// Error is "file:line: message".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ParseDockerfile parses a Dockerfile with BuildKit's own parser and
// returns its stages. name is used in error messages; buildArgs override
// the defaults of global ARGs when expanding FROM. The automatic platform
// args are those of the host (see ParseDockerfileFor).
func Parse(name string, data []byte, buildArgs map[string]string) (*Plan, error) {
	return ParseFor(name, data, buildArgs, AutoArgs{})
}

// ParseDockerfileFor is ParseDockerfile with the automatic args BuildKit
// puts in the global scope (BUILDPLATFORM, TARGETOS, TARGETSTAGE, …) taken
// from auto, so that FROM lines such as `FROM binaries-$TARGETOS` resolve
// to the stage BuildKit builds.
func ParseFor(name string, data []byte, buildArgs map[string]string, auto AutoArgs) (*Plan, error) {
	return parseBounded(name, data, buildArgs, auto, MaxScopeEntries)
}

// parseBounded is ParseFor with maxScopeEntries in place of
// MaxScopeEntries (tests take a small one).
func parseBounded(name string, data []byte, buildArgs map[string]string, auto AutoArgs, maxScopeEntries int) (*Plan, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		if n := overlongLine(data); n > 0 {
			return nil, &ParseError{File: name, Line: n, Msg: fmt.Sprintf("the line is longer than %d bytes, the most BuildKit's parser reads", bufio.MaxScanTokenSize-1)}
		}
		return nil, locate(name, err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, locate(name, err)
	}
	if len(stages) == 0 {
		return nil, &ParseError{File: name, Msg: "no FROM instruction: a Dockerfile must start a stage with FROM"}
	}
	lex := shell.NewLex(res.EscapeToken)
	env := globalArgs(lex, auto.values(), metaArgs, buildArgs)

	p := &Plan{}
	byName := map[string]int{}
	seen := 0 // the variables every RUN so far sees, summed
	for i, st := range stages {
		ps := PlannedStage{Name: st.Name, Named: st.Name != "", Index: i, BaseStage: -1}
		if ps.Name == "" {
			ps.Name = fmt.Sprintf("stage-%d", i)
		}
		base, _, err := lex.ProcessWord(st.BaseName, env)
		if err != nil {
			return nil, &ParseError{File: name, Line: firstLine(st.Location), Msg: fmt.Sprintf("expanding FROM %s: %v", st.BaseName, err)}
		}
		ps.Base = base
		if j, ok := stageRef(base, byName, i); ok {
			ps.BaseStage = j
		}
		ps.Instructions = append(ps.Instructions, Instruction{Keyword: "FROM", Text: oneLine(st.SourceCode), Line: firstLine(st.Location)})
		if ps.BaseStage < 0 && base != "scratch" {
			ps.Steps = append(ps.Steps, 0)
		}
		sc := newScope(lex, env, buildArgs)
		if ps.BaseStage >= 0 {
			sc.inherit(p.Stages[ps.BaseStage])
		}
		for _, c := range st.Commands {
			ins := Instruction{Keyword: strings.ToUpper(c.Name()), Line: firstLine(c.Location())}
			if s, ok := c.(interface{ String() string }); ok {
				ins.Text = oneLine(s.String())
			}
			if run, ok := c.(*instructions.RunCommand); ok {
				ins.Args, ins.Env = sc.snapshot()
				if seen += len(ins.Args) + len(ins.Env); seen > maxScopeEntries {
					return nil, &ParseError{File: name, Line: ins.Line, Msg: fmt.Sprintf("the RUN instructions up to this one see over %d build args and environment variables in all (each RUN's are recorded with it): over the bound (MaxScopeEntries): refused", maxScopeEntries)}
				}
				// the parser leaves --mount's fields but from= for later:
				// read them now, in the stage's scope, as the frontend does
				if err := run.Expand(func(w string) (string, error) { return sc.expand(w), nil }); err != nil {
					return nil, &ParseError{File: name, Line: ins.Line, Msg: err.Error()}
				}
			}
			ins.CacheMounts = cacheMounts(c)
			ins.Sources, ins.Named = sc.contextSources(c, func(ref string) bool {
				_, ok := stageRef(sc.expand(ref), byName, i)
				return ok
			})
			sc.apply(c)
			ps.Instructions = append(ps.Instructions, ins)
			switch c.(type) {
			case *instructions.AddCommand, *instructions.CopyCommand, *instructions.RunCommand, *instructions.WorkdirCommand:
				ps.Steps = append(ps.Steps, len(ps.Instructions)-1)
			}
		}
		ps.endArgs, ps.endEnv = sc.snapshot()
		p.Stages = append(p.Stages, ps)
		if st.Name != "" {
			byName[strings.ToLower(st.Name)] = i
		}
	}
	for i, st := range stages {
		p.Stages[i].DependsOn = dependencies(lex, env, st, p, byName, i)
	}
	return p, nil
}

// dependencies lists the stages stage i reads from: its FROM, COPY --from
// and RUN --mount from=, in the order of the Dockerfile, without repeats.
func dependencies(lex *shell.Lex, env shell.EnvGetter, st instructions.Stage, p *Plan, byName map[string]int, i int) []string {
	deps := []string{}
	seen := map[int]bool{}
	add := func(ref string) string {
		if ref == "" {
			return ""
		}
		if exp, _, err := lex.ProcessWord(ref, env); err == nil {
			ref = exp
		}
		j, ok := stageRef(ref, byName, i)
		if !ok {
			return ""
		}
		if !seen[j] {
			seen[j] = true
			deps = append(deps, p.Stages[j].Name)
		}
		return p.Stages[j].Name
	}
	if b := p.Stages[i].BaseStage; b >= 0 {
		add(strconv.Itoa(b))
	}
	for k, c := range st.Commands {
		ins := &p.Stages[i].Instructions[k+1]
		var refs []string
		switch c := c.(type) {
		case *instructions.CopyCommand:
			refs = append(refs, c.From)
		case *instructions.RunCommand:
			for _, m := range instructions.GetMounts(c) {
				refs = append(refs, m.From)
			}
		}
		for _, r := range refs {
			if name := add(r); name != "" {
				ins.FromStages = append(ins.FromStages, name)
			}
		}
	}
	return deps
}

// stageRef resolves a FROM/--from reference to an earlier stage by name or
// index. A stage can only read stages defined before it (BuildKit refuses
// the rest), so a reference to itself or a later stage is not a stage.
func stageRef(ref string, byName map[string]int, before int) (int, bool) {
	if j, ok := byName[strings.ToLower(ref)]; ok {
		return j, j < before
	}
	if n, err := strconv.Atoi(ref); err == nil && n >= 0 && n < before {
		return n, true
	}
	return 0, false
}

// globalArgs is the environment FROM lines are expanded in, built as the
// Dockerfile frontend builds it: the automatic args (each overridden by a
// build arg of its name), then the global ARGs, whose defaults expand in
// what came before and which a build arg overrides.
func globalArgs(lex *shell.Lex, auto map[string]string, metaArgs []instructions.ArgCommand, buildArgs map[string]string) shell.EnvGetter {
	var kv []string
	vals := map[string]string{}
	for _, k := range slices.Sorted(maps.Keys(auto)) {
		v := auto[k]
		if ov, ok := buildArgs[k]; ok {
			v = ov
		}
		vals[k] = v
		kv = append(kv, k+"="+v)
	}
	for _, a := range metaArgs {
		for _, arg := range a.Args {
			v, set := buildArgs[arg.Key]
			if !set && arg.Value != nil {
				v, _, _ = lex.ProcessWord(*arg.Value, shell.EnvsFromSlice(kv))
				set = true
			}
			if set {
				vals[arg.Key] = v
				kv = append(kv, arg.Key+"="+v)
			}
		}
	}
	out := make([]string, 0, len(vals))
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		out = append(out, k+"="+vals[k])
	}
	return shell.EnvsFromSlice(out)
}

func locate(name string, err error) error {
	var le *parser.LocationError
	line := 0
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		line = le.Locations[0][0].Start.Line
	}
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "dockerfile parse error on line "+strconv.Itoa(line)+": ")
	if line == 0 {
		var n int
		if _, e := fmt.Sscanf(msg, "dockerfile parse error on line %d:", &n); e == nil {
			line = n
			msg = strings.TrimSpace(strings.SplitN(msg, ":", 2)[1])
		}
	}
	return &ParseError{File: name, Line: line, Msg: msg}
}

// overlongLine is the number of the first line too long for BuildKit's
// parser, else 0. Its scanner stops there, so the parse fails with a
// message that names the line before (or, for the first line, says the
// file has no instructions).
func overlongLine(data []byte) int {
	for n := 1; len(data) > 0; n++ {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		if len(line) >= bufio.MaxScanTokenSize {
			return n
		}
		data = rest
	}
	return 0
}

func firstLine(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\\\n", " ")), " ")
}

// cacheMounts lists a RUN's cache mounts, with the defaults the frontend
// applies (id: the target; sharing: shared).
func cacheMounts(c instructions.Command) []model.CacheMount {
	run, ok := c.(*instructions.RunCommand)
	if !ok {
		return nil
	}
	var out []model.CacheMount
	for _, m := range instructions.GetMounts(run) {
		if m.Type != instructions.MountTypeCache {
			continue
		}
		cm := model.CacheMount{ID: m.CacheID, Target: m.Target, Sharing: string(m.CacheSharing)}
		if cm.ID == "" {
			cm.ID = path.Clean(m.Target)
		}
		if cm.Sharing == "" {
			cm.Sharing = string(instructions.MountSharingShared)
		}
		out = append(out, cm)
	}
	return out
}
