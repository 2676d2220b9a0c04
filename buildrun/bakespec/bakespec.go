// Package bakespec is what `buildscope bake` and its bake-file reader say
// to each other, as JSON: the request (the files, targets and overrides of
// the command line) and the targets buildx's parser resolved.
//
// The reader is a process of its own, buildscope-bake (cmd/buildscope-bake,
// package buildrun/bakefile): buildx's bake parser brings Compose's JSON
// schemas, OPA and sigstore, whose package initialisers cost every
// buildscope command ~40 ms of CPU before main while only `bake` reads a
// bake file.
package bakespec

import "encoding/json"

// Request is what `buildscope bake` asks the reader to resolve.
type Request struct {
	// Files are the bake files (-f), "-" for stdin; none: the names buildx
	// looks for in the working directory.
	Files []string `json:"files,omitempty"`
	// Targets are the targets and groups to build; none: "default".
	Targets []string `json:"targets,omitempty"`
	// Set are --set overrides, TARGET.KEY=VALUE.
	Set  []string `json:"set,omitempty"`
	Load bool     `json:"load,omitempty"`
	Push bool     `json:"push,omitempty"`
}

// Target is one resolved target as the options of one build (the fields
// of buildscope build's flags), with notes on what of the target
// buildscope does not apply.
type Target struct {
	Name          string   `json:"name"`
	ContextDir    string   `json:"context_dir"`
	Dockerfile    string   `json:"dockerfile"`
	Target        string   `json:"target,omitempty"`
	BuildArgs     []string `json:"build_args,omitempty"`
	Platforms     []string `json:"platforms,omitempty"`
	Secrets       []string `json:"secrets,omitempty"`
	SSH           []string `json:"ssh,omitempty"`
	BuildContexts []string `json:"build_contexts,omitempty"`
	NoCache       bool     `json:"no_cache,omitempty"`
	NoCacheFilter []string `json:"no_cache_filter,omitempty"`
	CacheFrom     []string `json:"cache_from,omitempty"`
	Tags          []string `json:"tags,omitempty"`
	Destinations  []string `json:"destinations,omitempty"`
	Push          bool     `json:"push,omitempty"`
	Load          bool     `json:"load,omitempty"`
	CacheTo       []string `json:"cache_to,omitempty"`
	Notes         []string `json:"notes,omitempty"`
}

// Resolved is the reader's answer: the targets to build, sorted by name,
// and the definition in the shape `docker buildx bake --print` writes.
type Resolved struct {
	Targets    []Target        `json:"targets"`
	Definition json.RawMessage `json:"definition"`
}
