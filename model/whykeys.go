package model

import "strings"

// SourceCacheKeys says an explanation rests on BuildKit's own cache keys:
// the plain-text inputs the builder saved for every key it computed
// (buildkitd --save-cache-debug), kept per step in the record.
const SourceCacheKeys = "cache-keys"

// CacheKey is BuildKit's cache key of a step and the plain-text inputs
// behind it, as the builder's cache-debug data shows them: the op's cache
// map (its definition) and, per input of the op, either the checksum of
// the files it selects or the key of the step it builds on.
type CacheKey struct {
	// Key digests Op and Inputs, content checksums in place of the keys of
	// session-bound sources: two builds of the same inputs have equal keys.
	Key string `json:"key"`
	// Op is BuildKit's plain text of the op's cache map: the JSON of an
	// exec or file op with its platform, or a source's identity (an image
	// digest and platform, a local directory's name).
	Op string `json:"op"`
	// OpDigest is the digest BuildKit links the key to its inputs by (of
	// Op and the output), as an exported cache's records name it.
	OpDigest string `json:"op_digest,omitempty"`
	// Inputs are the op's inputs, by index.
	Inputs []KeyInput `json:"inputs,omitempty"`
}

// KeyInput is one input of a step's cache key.
type KeyInput struct {
	Index int `json:"index"`
	// From is the vertex digest of the step or source the input reads.
	From string `json:"from,omitempty"`
	// Source names the source op the input is, when it is one: "local:NAME"
	// (the build context is "local:context") or "image:REF".
	Source string `json:"source,omitempty"`
	// Selector is the paths the op selects from the input ("/" for all).
	Selector string `json:"selector,omitempty"`
	// Content is the checksum BuildKit took of the selected files, and
	// Files their digests (metadata and content) by path.
	Content string            `json:"content,omitempty"`
	Files   map[string]string `json:"files,omitempty"`
	// FilesRef names Files in the history's file-list store (see
	// StepInputs.FilesRef); it is derived from Content and Selector, so
	// equal refs mean equal lists.
	FilesRef string `json:"files_ref,omitempty"`
	// ParentKey is the key of From, which stands in the key when no
	// content checksum does.
	ParentKey string `json:"parent_key,omitempty"`
}

// Input is the key input of index i, nil when the op has none.
func (k *CacheKey) Input(i int) *KeyInput {
	if k == nil {
		return nil
	}
	for j := range k.Inputs {
		if k.Inputs[j].Index == i {
			return &k.Inputs[j]
		}
	}
	return nil
}

// HasKeys reports whether any step of b has a recorded cache key.
func (b *Build) HasKeys() bool {
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.Key != nil {
				return true
			}
		}
	}
	return false
}

// keyReason is why step st ran, from its cache key and old's (the
// previous build's step): its own input that differs; a step it builds on
// that ran or changed; cache-evicted when the keys are equal. ok is false
// when either step has no key.
func keyReason(cur *Build, st, old *Step, seen map[string]Miss, changed []ChangedHit, hits map[string]int) (string, Detail, bool) {
	v, ok := compareKeys(cur, st, old)
	if !ok {
		return "", Detail{}, false
	}
	if v.Reason != "" {
		return v.Reason, v.Detail, true
	}
	parents := v.Parents
	if v.Same {
		// the same key: it ran because its entry was gone, unless a step
		// it builds on ran first (then that one is the root cause)
		for _, in := range st.Key.Inputs {
			parents = append(parents, in.From)
		}
		if st.Inputs != nil {
			parents = append(parents, st.Inputs.Parents...)
		}
	}
	for _, p := range parents {
		if m, ok := seen[p]; ok {
			root := m.Step
			if !m.Root {
				root = m.Detail.Root
			}
			return ReasonParent, Detail{Parent: m.Step, Root: root}, true
		}
		if i, ok := hits[p]; ok {
			return ReasonParentChanged, Detail{Parent: changed[i].Step, Root: changed[i].Step}, true
		}
	}
	if v.Same {
		return ReasonEvicted, v.Detail, true
	}
	return ReasonUnknown, Detail{Missing: "which step: the key of a step or source it builds on differs from the previous build's, and that one is not a step of the build (" + strings.Join(parents, ", ") + ")",
		KeyOld: old.Key.Key, KeyNew: st.Key.Key}, true
}

// keysNote says why an explanation of cur against prev cannot rest on
// cache keys.
func keysNote(cur, prev *Build) string {
	const lead = "recorded inputs, not BuildKit's cache keys: "
	for _, b := range []*Build{cur, prev} {
		if b.HasKeys() {
			continue
		}
		which := "build " + b.ID
		if b == prev {
			which = "the previous build " + b.ID
		}
		switch {
		case b.KeysMissing != "":
			return lead + which + " has none: " + b.KeysMissing
		case b.Builder == "docker":
			return lead + which + " ran on the Docker engine, whose BuildKit does not give them"
		default:
			return lead + which + " has none (made with --no-record-inputs, on a builder buildscope did not start, or before buildscope recorded them)"
		}
	}
	return ""
}
