package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
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

// eachFileList calls fn with every file list b's steps hold, inline
// (files) or by ref: their recorded inputs' files, each named context's
// files, and each cache-key input's files. What fn sets is kept.
func eachFileList(b *Build, fn func(step *Step, files *map[string]string, ref *string)) {
	for si := range b.Stages {
		for k := range b.Stages[si].Steps {
			step := &b.Stages[si].Steps[k]
			if in := step.Inputs; in != nil {
				fn(step, &in.Files, &in.FilesRef)
				names := slices.AppendSeq(slices.Collect(maps.Keys(in.Contexts)), maps.Keys(in.ContextRefs))
				slices.Sort(names)
				for _, name := range slices.Compact(names) {
					files, ref := in.Contexts[name], in.ContextRefs[name]
					fn(step, &files, &ref)
					in.Contexts = setOrDelete(in.Contexts, name, files, files != nil)
					in.ContextRefs = setOrDelete(in.ContextRefs, name, ref, ref != "")
				}
			}
			if key := step.Key; key != nil {
				for i := range key.Inputs {
					fn(step, &key.Inputs[i].Files, &key.Inputs[i].FilesRef)
				}
			}
		}
	}
}

// setOrDelete sets m[k] to v when keep, else deletes it; a nil map is
// made only to set.
func setOrDelete[V any](m map[string]V, k string, v V, keep bool) map[string]V {
	if !keep {
		delete(m, k)
		return m
	}
	if m == nil {
		m = map[string]V{}
	}
	m[k] = v
	return m
}

// SplitFileLists returns a copy of b whose lists over InlineFileList
// entries are replaced by their refs, and those lists. b is not changed:
// its steps' inputs and keys are copied before a list leaves them.
func SplitFileLists(b *Build) (*Build, []FileList) {
	out := *b
	out.Stages = append([]Stage(nil), b.Stages...)
	for si := range out.Stages {
		st := &out.Stages[si]
		st.Steps = append([]Step(nil), st.Steps...)
		for k := range st.Steps {
			step := &st.Steps[k]
			if in := step.Inputs; in != nil {
				c := *in
				c.Contexts, c.ContextRefs = maps.Clone(in.Contexts), maps.Clone(in.ContextRefs)
				step.Inputs = &c
			}
			if key := step.Key; key != nil {
				c := *key
				c.Inputs = append([]KeyInput(nil), key.Inputs...)
				step.Key = &c
			}
		}
	}
	var lists []FileList
	seen := map[string]bool{}
	eachFileList(&out, func(_ *Step, files *map[string]string, ref *string) {
		if len(*files) <= InlineFileList {
			return
		}
		if *ref == "" {
			*ref = FileListRef(*files)
		}
		if !seen[*ref] {
			seen[*ref] = true
			lists = append(lists, FileList{Ref: *ref, Files: *files})
		}
		*files = nil
	})
	return &out, lists
}

// JoinFileLists puts back into b, in place, every list it names by ref
// and does not hold, reading each with get. A list get cannot read is an
// error naming the step: without it, why could only guess.
func JoinFileLists(b *Build, get func(ref string) (map[string]string, error)) error {
	cache := map[string]map[string]string{}
	var err error
	eachFileList(b, func(step *Step, files *map[string]string, ref *string) {
		if err != nil || *ref == "" || *files != nil {
			return
		}
		m, ok := cache[*ref]
		if !ok {
			if m, err = get(*ref); err != nil {
				err = fmt.Errorf("reading the file list %s of step %q of build %s: %w", ShortDigest(*ref), step.Name, b.ID, err)
				return
			}
			cache[*ref] = m
		}
		*files = m
	})
	return err
}

// FileListRefs are the refs of the stored lists b names.
func FileListRefs(b *Build) []string {
	var out []string
	eachFileList(b, func(_ *Step, _ *map[string]string, ref *string) {
		if *ref != "" {
			out = append(out, *ref)
		}
	})
	return out
}
