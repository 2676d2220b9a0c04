// Package bakecheck bounds what a bake file may make buildx's parser do,
// before it reads the file, and names what the parser's errors hide. It
// imports HCL's parsers but not buildx's bake package (which carries
// BuildKit whole), so that its fuzzer runs at speed (FuzzReadBake).
package bakecheck

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	units "github.com/docker/go-units"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// Bounds on a bake file, checked before buildx's parser reads it: the
// parser recurses once per level of nesting (400,000 levels overflowed
// the stack), and evaluates variables without a bound on what they
// expand to (40 variables each naming the one before twice grew --print
// to 11 GB). Variables so that tests can lower them.
const (
	// maxBakeDepth bounds the nesting of brackets and braces.
	maxBakeDepth = 200
	// maxBakeExpansion bounds what one variable may expand to.
	maxBakeExpansion int64 = 16 << 20
)

// File is one bake file as read: its name (as given) and content.
type File struct {
	Name string
	Data []byte
}

// Files refuses a bake file nested deeper than maxBakeDepth, or
// one whose variables may expand past maxBakeExpansion, in one line.
// Compose files (YAML) are left to their own parser.
func Files(files []File) error {
	for _, f := range files {
		if err := checkBakeDepth(f); err != nil {
			return err
		}
		if err := checkBakeExpansion(f); err != nil {
			return err
		}
	}
	return nil
}

// checkBakeDepth scans f for its deepest nesting of {, [ and ( outside
// double-quoted strings.
func checkBakeDepth(f File) error {
	depth, line, inString, escaped := 0, 1, false, false
	for _, c := range f.Data {
		switch {
		case c == '\n':
			line++
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[' || c == '(':
			if depth++; depth > maxBakeDepth {
				return fmt.Errorf("bake file %s nests more than %d levels deep (line %d): more than buildscope reads; a bake file needs a few", f.Name, maxBakeDepth, line)
			}
		case c == '}' || c == ']' || c == ')':
			depth--
		}
	}
	return nil
}

// checkBakeExpansion bounds what each variable's default can expand to:
// the length of its expression's text plus what every variable it names
// expands to, once per mention. A variable named in a cycle is left to
// buildx, which refuses it.
func checkBakeExpansion(f File) error {
	var file *hcl.File
	var diags hcl.Diagnostics
	if trimmed := bytes.TrimSpace(f.Data); len(trimmed) > 0 && trimmed[0] == '{' {
		file, diags = hcljson.Parse(f.Data, f.Name)
	} else {
		file, diags = hclsyntax.ParseConfig(f.Data, f.Name, hcl.InitialPos)
	}
	if diags.HasErrors() || file == nil {
		return nil // not HCL or JSON (Compose), or buildx says what is wrong
	}
	content, _, _ := file.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: "variable", LabelNames: []string{"name"}}}})
	if content == nil {
		return nil
	}
	type variable struct {
		text int64
		refs []string
	}
	vars := map[string]*variable{}
	for _, b := range content.Blocks {
		v := &variable{}
		vars[b.Labels[0]] = v
		attrs, _ := b.Body.JustAttributes()
		if a, ok := attrs["default"]; ok {
			r := a.Expr.Range()
			v.text = int64(r.End.Byte - r.Start.Byte)
			for _, t := range a.Expr.Variables() {
				v.refs = append(v.refs, t.RootName())
			}
		}
	}
	size := map[string]int64{}
	visiting := map[string]bool{}
	var expand func(name string) int64
	expand = func(name string) int64 {
		if s, ok := size[name]; ok {
			return s
		}
		v := vars[name]
		if v == nil || visiting[name] {
			return 0
		}
		visiting[name] = true
		s := v.text
		for _, r := range v.refs {
			if s += expand(r); s > maxBakeExpansion {
				s = maxBakeExpansion + 1 // enough to refuse, without overflow
			}
		}
		visiting[name] = false
		size[name] = s
		return s
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if expand(n) > maxBakeExpansion {
			return fmt.Errorf("bake file %s: variable %s can expand to more than %s (it names %s), more than buildscope expands: a variable that names another twice doubles it", f.Name, n, units.BytesSize(float64(maxBakeExpansion)), strings.Join(vars[n].refs, ", "))
		}
	}
	return nil
}

// GroupCycle finds a cycle of groups (each group's members by name)
// reachable from targets ("a → b → a"), "" when there is none: buildx,
// walking one, says only that it failed to find a target.
func GroupCycle(groups map[string][]string, targets []string) string {
	state := map[string]int{} // 1 on the path, 2 done
	var path []string
	var walk func(n string) string
	walk = func(n string) string {
		switch state[n] {
		case 1:
			i := 0
			for path[i] != n {
				i++
			}
			return strings.Join(append(append([]string{}, path[i:]...), n), " → ")
		case 2:
			return ""
		}
		members, ok := groups[n]
		if !ok {
			return ""
		}
		state[n] = 1
		path = append(path, n)
		for _, m := range members {
			if cyc := walk(m); cyc != "" {
				return cyc
			}
		}
		path = path[:len(path)-1]
		state[n] = 2
		return ""
	}
	for _, t := range targets {
		if cyc := walk(t); cyc != "" {
			return cyc
		}
	}
	return ""
}
