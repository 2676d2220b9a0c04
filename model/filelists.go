package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
)

// A record's large file lists (the digests of a 20k-file COPY, in
// buildscope's own inputs and in BuildKit's cache key) are kept beside
// the history, once per distinct list, instead of inline: a build of an
// unchanged context writes a record of a few kilobytes and no list, and
// reading the history reads no list it does not need. These functions
// split a record into its lists and join them back; the store itself is
// buildrun's.

// InlineFileList is the most entries a list may have and stay inline.
const InlineFileList = 100

// FileListRef names a file list by its content: the digest of its sorted
// path/digest pairs.
func FileListRef(files map[string]string) string {
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(files[k]), files[k])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// KeyFilesRef names the file list of a cache-key input by what
// determines it: BuildKit's content checksum of the selected files and
// the selector (the checksum holds the files' names relative to it).
func KeyFilesRef(content, selector string) string {
	h := sha256.New()
	fmt.Fprintf(h, "buildkit-files %d:%s%d:%s", len(content), content, len(selector), selector)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// FileList is a list that leaves its record, under Ref.
type FileList struct {
	Ref   string
	Files map[string]string
}

// SplitFileLists returns a copy of b whose lists over InlineFileList
// entries are replaced by their refs, and those lists. b is not changed
// (its steps are copied where a list leaves them).
func SplitFileLists(b *Build) (*Build, []FileList) {
	out := *b
	out.Stages = append([]Stage(nil), b.Stages...)
	var lists []FileList
	seen := map[string]bool{}
	keep := func(ref string, files map[string]string) {
		if !seen[ref] {
			seen[ref] = true
			lists = append(lists, FileList{Ref: ref, Files: files})
		}
	}
	for si := range out.Stages {
		st := &out.Stages[si]
		st.Steps = append([]Step(nil), st.Steps...)
		for k := range st.Steps {
			step := &st.Steps[k]
			if in := step.Inputs; in != nil && (len(in.Files) > InlineFileList || bigContext(in.Contexts)) {
				c := *in
				if len(c.Files) > InlineFileList {
					c.FilesRef = FileListRef(c.Files)
					keep(c.FilesRef, c.Files)
					c.Files = nil
				}
				if bigContext(c.Contexts) {
					c.Contexts, c.ContextRefs = map[string]map[string]string{}, map[string]string{}
					for name, files := range in.Contexts {
						if len(files) <= InlineFileList {
							c.Contexts[name] = files
							continue
						}
						ref := FileListRef(files)
						keep(ref, files)
						c.ContextRefs[name] = ref
					}
				}
				step.Inputs = &c
			}
			if key := step.Key; key != nil && bigKey(key) {
				c := *key
				c.Inputs = append([]KeyInput(nil), key.Inputs...)
				for i := range c.Inputs {
					ki := &c.Inputs[i]
					if len(ki.Files) <= InlineFileList {
						if ki.Files != nil {
							ki.FilesRef = "" // inline: no list is stored under it
						}
						continue
					}
					if ki.FilesRef == "" {
						ki.FilesRef = FileListRef(ki.Files)
					}
					keep(ki.FilesRef, ki.Files)
					ki.Files = nil
				}
				step.Key = &c
			}
		}
	}
	return &out, lists
}

func bigContext(c map[string]map[string]string) bool {
	for _, files := range c {
		if len(files) > InlineFileList {
			return true
		}
	}
	return false
}

func bigKey(k *CacheKey) bool {
	for _, ki := range k.Inputs {
		if len(ki.Files) > InlineFileList || (ki.FilesRef != "" && ki.Files != nil) {
			return true
		}
	}
	return false
}

// JoinFileLists puts back into b, in place, every list it names by ref
// and does not hold, reading each with get. A list get cannot read is an
// error naming the step: without it, why could only guess.
func JoinFileLists(b *Build, get func(ref string) (map[string]string, error)) error {
	cache := map[string]map[string]string{}
	load := func(ref, step string) (map[string]string, error) {
		if m, ok := cache[ref]; ok {
			return m, nil
		}
		m, err := get(ref)
		if err != nil {
			return nil, fmt.Errorf("reading the file list %s of step %q of build %s: %w", ShortDigest(ref), step, b.ID, err)
		}
		cache[ref] = m
		return m, nil
	}
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			step := &b.Stages[si].Steps[k]
			var err error
			if in := step.Inputs; in != nil {
				if in.FilesRef != "" && in.Files == nil {
					if in.Files, err = load(in.FilesRef, step.Name); err != nil {
						return err
					}
				}
				for name, ref := range in.ContextRefs {
					if in.Contexts[name] != nil {
						continue
					}
					if in.Contexts == nil {
						in.Contexts = map[string]map[string]string{}
					}
					if in.Contexts[name], err = load(ref, step.Name); err != nil {
						return err
					}
				}
			}
			if key := step.Key; key != nil {
				for i := range key.Inputs {
					ki := &key.Inputs[i]
					if ki.FilesRef != "" && ki.Files == nil {
						if ki.Files, err = load(ki.FilesRef, step.Name); err != nil {
							return err
						}
					}
				}
			}
		}
	}
	return nil
}
