package dockerfile

import (
	"maps"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// scope tracks the build args and environment of a stage as its
// instructions run, the way the Dockerfile frontend does: ARG brings a
// build arg (or its default, or the global ARG's value) into scope, ENV
// sets a variable; both are expanded with what is in scope.
type scope struct {
	lex       *shell.Lex
	global    shell.EnvGetter
	buildArgs map[string]string
	args, env map[string]string
}

func newScope(lex *shell.Lex, global shell.EnvGetter, buildArgs map[string]string) *scope {
	return &scope{lex: lex, global: global, buildArgs: buildArgs, args: map[string]string{}, env: map[string]string{}}
}

// inherit starts from the scope at the end of a base stage (FROM stage).
func (s *scope) inherit(base PlannedStage) {
	if n := len(base.Instructions); n > 1 {
		last := base.Instructions[n-1]
		maps.Copy(s.env, last.Env)
		maps.Copy(s.args, last.Args)
	}
}

func (s *scope) snapshot() (args, env map[string]string) {
	return maps.Clone(s.args), maps.Clone(s.env)
}

// getter is the variables an instruction's words expand with.
func (s *scope) getter() shell.EnvGetter {
	var kv []string
	for k, v := range s.args {
		kv = append(kv, k+"="+v)
	}
	for k, v := range s.env {
		kv = append(kv, k+"="+v)
	}
	return shell.EnvsFromSlice(kv)
}

func (s *scope) expand(w string) string {
	if out, _, err := s.lex.ProcessWord(w, s.getter()); err == nil {
		return out
	}
	return w
}

// apply updates the scope after instruction c.
func (s *scope) apply(c instructions.Command) {
	switch c := c.(type) {
	case *instructions.ArgCommand:
		for _, a := range c.Args {
			if v, ok := s.buildArgs[a.Key]; ok {
				s.args[a.Key] = v
			} else if a.Value != nil {
				s.args[a.Key] = s.expand(*a.Value)
			} else if v, ok := s.global.Get(a.Key); ok {
				s.args[a.Key] = v
			} else {
				s.args[a.Key] = ""
			}
		}
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			s.env[kv.Key] = s.expand(kv.Value)
		}
	}
}

// contextSources are the context paths a COPY or ADD reads, or a RUN
// binds, expanded: from the build context, and by name from contexts that
// are not stages (isStage tells them apart).
func (s *scope) contextSources(c instructions.Command, isStage func(string) bool) (main []string, named map[string][]string) {
	add := func(from string, paths ...string) {
		for _, p := range paths {
			p = s.expand(p)
			if from == "" {
				main = append(main, p)
				continue
			}
			if named == nil {
				named = map[string][]string{}
			}
			named[from] = append(named[from], p)
		}
	}
	switch c := c.(type) {
	case *instructions.CopyCommand:
		if c.From != "" && isStage(c.From) {
			return nil, nil
		}
		add(c.From, c.SourcePaths...)
	case *instructions.AddCommand:
		add("", c.SourcePaths...)
	case *instructions.RunCommand:
		for _, m := range instructions.GetMounts(c) {
			if m.Type != instructions.MountTypeBind || (m.From != "" && isStage(m.From)) {
				continue
			}
			src := m.Source
			if src == "" {
				src = "."
			}
			add(m.From, src)
		}
	}
	return main, named
}
