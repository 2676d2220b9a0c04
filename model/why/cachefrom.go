package why

import (
	"fmt"
	"slices"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// importHolds reports whether cache c holds the key of step st of b: a record
// of its op linked, on every input, to the content checksum the step read
// or to a record that holds the step it builds on; result says whether
// such a record carries layers.
func importHolds(c *model.CacheImport, b *model.Build, st *model.Step) (held, result bool) {
	if st == nil || st.Key == nil {
		return false, false
	}
	for i := range c.Records {
		if c.Records[i].Digest == st.Key.OpDigest && importMatches(c, b, i, st.Key, 0) {
			held = true
			result = result || c.Records[i].Result
		}
	}
	return held, result
}

func importMatches(c *model.CacheImport, b *model.Build, ri int, k *model.CacheKey, depth int) bool {
	if depth > 64 {
		return false
	}
	r := c.Records[ri]
	for _, in := range k.Inputs {
		if in.Index >= len(r.Inputs) {
			return false
		}
		ok := false
		for _, li := range r.Inputs[in.Index] {
			if li < 0 || li >= len(c.Records) {
				continue
			}
			t := c.Records[li]
			if in.Content != "" && strings.Contains(in.Content, t.Digest) {
				ok = true
			} else if p := stepByDigest(b, in.From); p != nil && p.Key != nil && p.Key.OpDigest == t.Digest && importMatches(c, b, li, p.Key, depth+1) {
				ok = true
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// cacheFromNote says what the build's --cache-from held of step st of
// stage: whether each cache holds its key (naming the cache), when a
// cache holds the final stage's steps only (exported with mode=min), or
// failed to import. imported is true when a cache holds the key.
func cacheFromNote(b *model.Build, stage string, st *model.Step) (note string, imported bool) {
	var notes []string
	for i := range b.CacheImports {
		c := &b.CacheImports[i]
		switch held, result := importHolds(c, b, st); {
		case c.Error != "":
			notes = append(notes, fmt.Sprintf("--cache-from %s failed to import: %s", c.Ref, c.Error))
		case st.Key == nil:
			notes = append(notes, fmt.Sprintf("whether --cache-from %s held it is unknown: the step has no cache key", c.Ref))
		case held && result:
			imported = true
			notes = append(notes, fmt.Sprintf("--cache-from %s holds this step's key with its layers", c.Ref))
		default:
			n := fmt.Sprintf("--cache-from %s does not hold this step's key", c.Ref)
			if held {
				// mode=max exports every step's layers with its key
				n = fmt.Sprintf("--cache-from %s holds this step's key but not its layers: it was exported with mode=min, which keeps only the final stage's layers; export it with mode=max", c.Ref)
			} else if final := finalStage(b); stage != final && !importStageLayers(c, b, stage) && importStageLayers(c, b, final) {
				n += fmt.Sprintf(" (it holds layers of the final stage %s and none of stage %s: it was exported with mode=min, which keeps only the final stage's layers; export it with mode=max)", final, stage)
			}
			notes = append(notes, n)
		}
	}
	return strings.Join(notes, "; "), imported
}

// importStageLayers reports whether cache c holds the layers of any step of
// stage.
func importStageLayers(c *model.CacheImport, b *model.Build, stage string) bool {
	for si := range b.Stages {
		if b.Stages[si].Name != stage {
			continue
		}
		for k := range b.Stages[si].Steps {
			st := &b.Stages[si].Steps[k]
			if strings.HasPrefix(st.Instruction, "FROM ") {
				continue // a base image is a root of every cache that used it
			}
			if _, result := importHolds(c, b, st); result {
				return true
			}
		}
	}
	return false
}

// finalStage is the stage the build's result is: --target, else the last.
func finalStage(b *model.Build) string {
	if b.Target != "" {
		return b.Target
	}
	if len(b.Stages) == 0 {
		return ""
	}
	return b.Stages[len(b.Stages)-1].Name
}

// importFailures are the caches of b that could not be read.
func importFailures(b *model.Build) []string {
	var out []string
	for _, c := range b.CacheImports {
		if c.Error != "" {
			out = append(out, fmt.Sprintf("--cache-from %s failed to import: %s", c.Ref, c.Error))
		}
	}
	return out
}

// stepByDigest is b's step of that vertex digest, nil if none.
func stepByDigest(b *model.Build, digest string) *model.Step {
	steps := allSteps(b)
	if i := slices.IndexFunc(steps, func(s *model.Step) bool { return s.Digest == digest }); i >= 0 {
		return steps[i]
	}
	return nil
}
