package fold

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// LLBStep is one op of a build's LLB definition as BuildKit's provenance
// records it: an ID ("step3"), the op, and its inputs ("step1:0").
type LLBStep struct {
	ID     string          `json:"id"`
	Op     json.RawMessage `json:"op"`
	Inputs []string        `json:"inputs"`
}

// sessionAttrs are op attributes that change with every build of the same
// inputs: the session a local source is read through, and its hints.
var sessionAttrs = map[string]bool{
	"local.session": true, "local.sharedkeyhint": true, "local.unique": true,
}

// NormalizeLLB digests every op of a definition with its session-specific
// attributes removed and its inputs replaced by their own normalised
// digests, so that two builds of the same inputs give equal digests. It
// returns them by vertex digest, through mapping (vertex digest → step ID).
func NormalizeLLB(steps []LLBStep, mapping map[string]string) (map[string]string, error) {
	byID := map[string]*LLBStep{}
	for i := range steps {
		byID[steps[i].ID] = &steps[i]
	}
	norm := map[string]string{}
	var digestOf func(id string, depth int) (string, error)
	digestOf = func(id string, depth int) (string, error) {
		if d, ok := norm[id]; ok {
			return d, nil
		}
		st, ok := byID[id]
		if !ok || depth > len(steps) {
			return "", fmt.Errorf("LLB step %q is missing or in a cycle", id)
		}
		var op any
		if err := json.Unmarshal(st.Op, &op); err != nil {
			return "", fmt.Errorf("decoding LLB step %s: %w", id, err)
		}
		if m, ok := op.(map[string]any); ok {
			delete(m, "inputs") // the inputs' own digests depend on the session
		}
		op = strip(op)
		h := sha256.New()
		b, _ := json.Marshal(op) // maps marshal with sorted keys
		h.Write(b)
		for _, in := range st.Inputs {
			ref, out, _ := strings.Cut(in, ":")
			d, err := digestOf(ref, depth+1)
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "\ninput %s:%s", d, out)
		}
		d := "sha256:" + hex.EncodeToString(h.Sum(nil))
		norm[id] = d
		return d, nil
	}
	out := map[string]string{}
	for vertex, id := range mapping {
		d, err := digestOf(id, 0)
		if err != nil {
			return nil, err
		}
		out[vertex] = d
	}
	return out, nil
}

// strip removes session attributes wherever they are.
func strip(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if sessionAttrs[k] {
				continue
			}
			out[k] = strip(x)
		}
		return out
	case []any:
		for i := range v {
			v[i] = strip(v[i])
		}
		return v
	}
	return v
}
