package why

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// keyVerdict is what comparing a step's cache key with the previous
// build's shows.
type keyVerdict struct {
	// Same: the keys are equal.
	Same bool
	// Reason and Detail name the step's own input that differs.
	Reason string
	Detail Detail
	// Parents are the vertex digests of the steps it builds on whose keys
	// differ, when none of its own inputs does.
	Parents []string
}

// compareKeys compares the cache key of step st of build cur with that of
// old, the previous build's step; ok is false when either has none.
func compareKeys(cur *model.Build, st, old *model.Step) (keyVerdict, bool) {
	if st.Key == nil || old == nil || old.Key == nil || st.Key.Key == "" || old.Key.Key == "" {
		return keyVerdict{}, false
	}
	k, ok := st.Key, old.Key
	if k.Key == ok.Key {
		return keyVerdict{Same: true, Detail: Detail{Key: k.Key}}, true
	}
	if oc, nc := remoteKey(ok.Op), remoteKey(k.Op); oc != "" && nc != "" && oc != nc {
		// a remote source, keyed by what it resolved: the file changed
		// on the server, not the instruction
		return keyVerdict{Reason: ReasonRemote, Detail: Detail{URL: addSource(st.Instruction), Old: oc, New: nc}}, true
	}
	if k.Op != ok.Op {
		r, d := opDiff(ok.Op, k.Op)
		if r == ReasonEnv && argReaches(cur, st, d.Var) {
			r, d = ReasonBuildArg, Detail{Arg: d.Var, Old: d.Old, New: d.New}
		}
		return keyVerdict{Reason: r, Detail: d}, true
	}
	var parents []string
	for _, idx := range inputIndexes(k, ok) {
		ni, oi := k.Input(idx), ok.Input(idx)
		switch {
		case ni == nil || oi == nil:
			return keyVerdict{Reason: ReasonInstruction, Detail: Detail{Field: fmt.Sprintf("input %d", idx), Old: presence(oi), New: presence(ni)}}, true
		case ni.Selector != oi.Selector:
			return keyVerdict{Reason: ReasonInstruction, Detail: Detail{Field: "selected paths", Old: oi.Selector, New: ni.Selector}}, true
		case ni.Pin != "" && oi.Pin != "" && ni.Pin != oi.Pin:
			// a remote file BuildKit keys by its content checksum
			return keyVerdict{Reason: ReasonRemote, Detail: Detail{URL: ni.Source, Old: oi.Pin, New: ni.Pin}}, true
		case ni.Content != "" && oi.Content != "" && ni.Content != oi.Content:
			d, changed := filesDetail(oi.Files, ni.Files)
			name, local := strings.CutPrefix(ni.Source, "local:")
			switch {
			case local && name == "context":
				if !changed {
					d = Detail{Missing: "which file: BuildKit's checksum of the selected files differs, and it lists no file that does"}
					return keyVerdict{Reason: ReasonUnknown, Detail: d}, true
				}
				return keyVerdict{Reason: ReasonContext, Detail: d}, true
			case local:
				d.Context = name
				return keyVerdict{Reason: ReasonNamedContext, Detail: d}, true
			}
			parents = append(parents, ni.From) // files of another stage
		case ni.Content == "" && oi.Content == "" && ni.ParentKey != oi.ParentKey:
			parents = append(parents, ni.From)
		case (ni.Content == "") != (oi.Content == ""):
			// one build matched by definition, the other by content: the
			// step it builds on is where to look
			parents = append(parents, ni.From)
		}
	}
	if len(parents) > 0 {
		return keyVerdict{Parents: parents}, true
	}
	return keyVerdict{Reason: ReasonUnknown, Detail: Detail{Missing: "which input changed: BuildKit's cache keys differ, but neither their op nor their inputs as recorded do", KeyOld: ok.Key, KeyNew: k.Key}}, true
}

// remoteKey is what BuildKit keyed a remote source by: a git source's
// commit, a downloaded file's content checksum; "" for any other key.
func remoteKey(op string) string {
	if c := model.GitCommit(op); c != "" {
		return c
	}
	return model.HTTPChecksum(op)
}

func inputIndexes(a, b *model.CacheKey) []int {
	var out []int
	for _, k := range []*model.CacheKey{a, b} {
		for _, in := range k.Inputs {
			if !slices.Contains(out, in.Index) {
				out = append(out, in.Index)
			}
		}
	}
	slices.Sort(out)
	return out
}

func presence(in *model.KeyInput) string {
	if in == nil {
		return "none"
	}
	if in.Source != "" {
		return in.Source
	}
	return "a step's output"
}

// argReaches reports whether name is a build arg of the step (declared by
// ARG and reaching it) or of the build, not an ENV.
func argReaches(cur *model.Build, st *model.Step, name string) bool {
	if st.Inputs != nil {
		if _, ok := st.Inputs.Args[name]; ok {
			return true
		}
		if _, ok := st.Inputs.Env[name]; ok {
			return false
		}
	}
	_, ok := cur.BuildArgs[name]
	return ok
}

// opDiff names what differs between two plain texts of BuildKit's op
// cache maps: the platform, an environment variable, the command, or the
// first other field of the op definition (a mount, a COPY's destination,
// the image digest of a source).
func opDiff(oldText, newText string) (string, Detail) {
	var a, b map[string]any
	if json.Unmarshal([]byte(oldText), &a) != nil || json.Unmarshal([]byte(newText), &b) != nil {
		return ReasonInstruction, Detail{Field: "op", Old: oldText, New: newText}
	}
	if pa, pb := platformOf(a), platformOf(b); pa != pb {
		return ReasonPlatform, Detail{Old: pa, New: pb}
	}
	if da, db := str(a["Digest"]), str(b["Digest"]); da != db {
		return ReasonBase, Detail{Old: da, New: db}
	}
	ea, eb := execMeta(a), execMeta(b)
	// the line the user edited first: an ENV or ARG change alone leaves
	// the command as it was
	if ca, cb := command(ea["args"]), command(eb["args"]); ca != cb {
		return ReasonInstruction, Detail{Field: "command", Old: ca, New: cb}
	}
	if d := mapDiff(envMap(ea["env"]), envMap(eb["env"])); d != nil {
		return ReasonEnv, Detail{Var: d[0], Old: d[1], New: d[2]}
	}
	fa, fb := map[string]string{}, map[string]string{}
	flatten(decodeActions(a), "", fa)
	flatten(decodeActions(b), "", fb)
	for _, k := range slices.Sorted(maps.Keys(unionKeys(fa, fb))) {
		if fa[k] != fb[k] {
			return ReasonInstruction, Detail{Field: fieldName(k), Old: fa[k], New: fb[k]}
		}
	}
	return ReasonInstruction, Detail{Field: "op", Old: oldText, New: newText}
}

func platformOf(m map[string]any) string {
	p := str(m["OS"]) + "/" + str(m["Arch"])
	if v := str(m["Variant"]); v != "" {
		p += "/" + v
	}
	return p
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func execMeta(m map[string]any) map[string]any {
	e, _ := m["Exec"].(map[string]any)
	meta, _ := e["meta"].(map[string]any)
	return meta
}

func envMap(v any) map[string]string {
	out := map[string]string{}
	l, _ := v.([]any)
	for _, e := range l {
		k, val, _ := strings.Cut(str(e), "=")
		out[k] = val
	}
	return out
}

// command is an exec's command line: the script of a shell form.
func command(v any) string {
	l, _ := v.([]any)
	var args []string
	for _, a := range l {
		args = append(args, str(a))
	}
	if len(args) == 3 && args[1] == "-c" {
		return args[2]
	}
	return strings.Join(args, " ")
}

// decodeActions replaces a file op's actions (base64 JSON) by their JSON.
func decodeActions(m map[string]any) map[string]any {
	acts, ok := m["Actions"].([]any)
	if !ok {
		return m
	}
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	dec := make([]any, len(acts))
	for i, a := range acts {
		dec[i] = a
		if b, err := base64.StdEncoding.DecodeString(str(a)); err == nil {
			var v any
			if json.Unmarshal(b, &v) == nil {
				dec[i] = v
			}
		}
	}
	out["Actions"] = dec
	return out
}

// flatten writes the leaves of v by their path ("Exec.mounts.1.dest").
func flatten(v any, path string, out map[string]string) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			flatten(x, strings.TrimPrefix(path+"."+k, "."), out)
		}
	case []any:
		for i, x := range v {
			flatten(x, fmt.Sprintf("%s.%d", path, i), out)
		}
	default:
		b, _ := json.Marshal(v)
		out[path] = string(b)
	}
}

// fieldName is a flattened path as the user knows it: "mounts.1.dest",
// "copy src".
func fieldName(p string) string {
	p = strings.TrimPrefix(p, "Exec.")
	p = strings.TrimPrefix(p, "meta.")
	if rest, ok := strings.CutPrefix(p, "Actions."); ok {
		_, field, _ := strings.Cut(rest, ".")
		return "file op " + field
	}
	return p
}

// addSource is the remote source of an ADD instruction (its first
// argument with a scheme), "" if none.
func addSource(instruction string) string {
	f := strings.Fields(instruction)
	for _, a := range f[min(1, len(f)):] {
		if !strings.HasPrefix(a, "--") && strings.Contains(a, "://") {
			return a
		}
	}
	return ""
}
