package model

import (
	"encoding/json"
	"strings"
)

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
	// BuildKitKey is the ID of the step's record in BuildKit's key store
	// (cache.db), what BuildKit finds the step's results by: a source's is
	// its digest; another's is chosen when the record is made (so a
	// rebuild after a prune gets a new one), and Key is the comparable one.
	BuildKitKey string `json:"buildkit_key,omitempty"`
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
	// Pin is the content checksum of a remote source (Source is its URL):
	// what BuildKit keys a remote file by.
	Pin string `json:"pin,omitempty"`
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

// GitCommit is the commit a git source's cache key names: BuildKit keys
// a git source by the commit it resolved, its plain text
// "buildkit.source.v0:COMMIT" with the checkout's options after it
// (".git#REF", ":SUBDIR", "(…)"); "" for any other key.
func GitCommit(op string) string {
	c, ok := strings.CutPrefix(op, "buildkit.source.v0:")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(c, ".:#("); i >= 0 {
		c = c[:i]
	}
	if len(c) != 40 && len(c) != 64 || strings.Trim(c, "0123456789abcdef") != "" {
		return "" // a local source's session, not a commit
	}
	return c
}

// HTTPChecksum is the content checksum an http source's cache key names:
// BuildKit keys a downloaded file by its JSON {"Filename", "Perm", "UID",
// "GID", "Checksum", "LastModTime"}, Checksum the digest of the content;
// "" for any other key.
func HTTPChecksum(op string) string {
	if !strings.HasPrefix(op, `{"Filename":`) {
		return ""
	}
	var k struct{ Checksum string }
	if json.Unmarshal([]byte(op), &k) != nil || !strings.HasPrefix(k.Checksum, "sha256:") {
		return ""
	}
	return k.Checksum
}
