package model

import (
	"fmt"
	"time"
)

// Build status values of Build.Status.
const (
	StatusRunning  = "running"
	StatusOK       = "ok"
	StatusError    = "error"
	StatusCanceled = "canceled"
)

// InternalStageSize is Build.Internal of a stage built as a target of its
// own to measure it (`buildscope stages`, the build UI's stage view).
const InternalStageSize = "stage-size"

// InternalStepShell is Build.Internal of a build run again so that a
// shell opens in a step's result (the build UI's x on a completed step).
const InternalStepShell = "step-shell"

// SchemaVersion is the version of the record's JSON shape that this
// buildscope writes and the newest it reads. Version 2 added `schema` and
// writes `bake` before `stages`, so that a record's head (the fields
// before its stages) says which bake it belongs to; records without
// `schema` are version 1, read as they are.
const SchemaVersion = 2

// Build is the record of one build: what was built, where, how it went, and
// the image it produced.
type Build struct {
	// Schema is the version of the record's JSON shape: SchemaVersion when
	// buildscope saves it; 0 in records from before it was kept (version 1).
	Schema     int       `json:"schema,omitempty"`
	ID         string    `json:"id"`
	Context    string    `json:"context"`
	Dockerfile string    `json:"dockerfile"`
	Target     string    `json:"target"`
	Builder    string    `json:"builder"`
	Status     string    `json:"status"`
	Error      string    `json:"error"`
	Started    time.Time `json:"started"`
	Completed  time.Time `json:"completed"`
	// Bake names the bake this build was a target of, if any. It comes
	// before the stages so that reading a record's head finds it.
	Bake *BakeRef `json:"bake,omitempty"`
	// Internal says buildscope ran the build on the user's behalf, and
	// for what (InternalStageSize): it is kept so that its image can be
	// opened, but it is not one of the user's builds, so it is neither
	// listed, nor build:last, nor why's previous build. It comes before
	// the stages so that reading a record's head finds it.
	Internal string       `json:"internal,omitempty"`
	Stages   []Stage      `json:"stages"`
	Cache    CacheSummary `json:"cache"`
	Image    *Image       `json:"image,omitempty"`
	// Images are every platform's image of a multi-platform build; Image
	// is the host platform's among them (else the first).
	Images    []Image  `json:"images,omitempty"`
	Platforms []string `json:"platforms,omitempty"`
	// NoCache and NoCacheFilter are --no-cache and --no-cache-filter.
	NoCache       bool              `json:"no_cache,omitempty"`
	NoCacheFilter []string          `json:"no_cache_filter,omitempty"`
	BuildArgs     map[string]string `json:"build_args,omitempty"`
	Result        *ResultRef        `json:"result,omitempty"`
	// CacheMounts are the RUN --mount=type=cache of the build's steps: how
	// big each was on the builder after the build, and whether the build
	// found it warm.
	CacheMounts []CacheMountUse `json:"cache_mounts,omitempty"`
	// Critical summarises the build's critical path (see Timeline).
	Critical *CriticalSummary `json:"critical_path,omitempty"`
	// Exporter is BuildKit's exporter response (containerimage.digest,
	// image.name, …): what --metadata-file writes, as buildx does.
	Exporter map[string]string `json:"exporter_response,omitempty"`
	// CacheImports are what the build's --cache-from held (see
	// CacheImport), read after the build.
	CacheImports []CacheImport `json:"cache_imports,omitempty"`
	// KeysMissing says why the steps have no cache keys (Step.Key), when
	// buildscope looked for them and found none.
	KeysMissing string    `json:"keys_missing,omitempty"`
	Warnings    []Warning `json:"warnings,omitempty"`
	// Debug says what `buildscope debug` ran in the build's failed step.
	Debug string `json:"debug,omitempty"`
	// ChecksUnavailable says why BuildKit's Dockerfile checks did not run
	// (the builder's frontend has none), so that no warnings is not read
	// as a Dockerfile that passed them.
	ChecksUnavailable string `json:"checks_unavailable,omitempty"`
	// Origin is set on a build buildscope did not run: a record of the
	// builder's own history (buildx, buildctl, CI) or an imported bundle.
	Origin *Origin `json:"origin,omitempty"`
	// Advice is the seeds' practices the Dockerfile does not follow, at
	// their lines, with what each costs where measurable.
	Advice []Advice `json:"advice,omitempty"`
	// Other holds vertices that belong to no Dockerfile stage: loading the
	// build definition and context, resolving image metadata, exporting.
	Other []Step `json:"other,omitempty"`
}

// Stage is one FROM section of a Dockerfile.
type Stage struct {
	Name      string   `json:"name"`
	Index     int      `json:"index"`
	Base      string   `json:"base"`
	DependsOn []string `json:"depends_on"`
	// Line is the line of the stage's FROM (0: not known, as in records
	// made before it was kept); EndLine the last line before the next
	// stage's FROM (0: the stage runs to the file's end).
	Line    int    `json:"line,omitempty"`
	EndLine int    `json:"end_line,omitempty"`
	Steps   []Step `json:"steps"`
}

// Step is one build step: a vertex of the solve that a Dockerfile
// instruction produced.
type Step struct {
	Name        string `json:"name"`
	Instruction string `json:"instruction"`
	Line        int    `json:"line"`
	Digest      string `json:"digest"`
	Cached      bool   `json:"cached"`
	// SizeBytes is the (compressed) size of the layer the step made, 0 for
	// a metadata-only step; absent when the image does not say.
	SizeBytes *int64     `json:"size_bytes,omitempty"`
	Started   *time.Time `json:"started,omitempty"`
	Completed *time.Time `json:"completed,omitempty"`
	Error     string     `json:"error"`
	// Inputs is what went into the step, kept to explain a cache miss.
	Inputs *StepInputs `json:"inputs,omitempty"`
	// Key is BuildKit's cache key of the step with its plain-text inputs,
	// when the builder saved them (see CacheKey).
	Key *CacheKey `json:"cache_key,omitempty"`
	// Pulled, on a FROM, are the base image's layers BuildKit fetched or
	// unpacked for it, as its progress reported them (absent: it reported
	// none, or the record was made before buildscope kept them).
	Pulled []PulledLayer `json:"pulled,omitempty"`
}

// PulledLayer is one layer of a base image that a build fetched or
// unpacked.
type PulledLayer struct {
	Digest string `json:"digest"`
	// SizeBytes is the blob's size as fetched (compressed); 0 when the
	// build did not fetch it (unpacked from the builder's content store).
	SizeBytes int64 `json:"size_bytes,omitempty"`
	// Extracted says the build unpacked it.
	Extracted bool `json:"extracted,omitempty"`
}

// StepInputs is what goes into a step's cache key as buildscope sees it:
// the instruction, the args and environment that reach it, the content of
// the context files it copies, its base image, and its parent steps.
type StepInputs struct {
	// Text is the instruction as written in the Dockerfile (BuildKit's
	// step name has build args expanded).
	Text  string            `json:"text,omitempty"`
	Args  map[string]string `json:"args,omitempty"`
	Env   map[string]string `json:"env,omitempty"`
	Files map[string]string `json:"files,omitempty"`
	// FilesRef names Files in the history's file-list store when the
	// record keeps them there instead of inline (large lists: see
	// FileListRef); equal refs mean equal lists.
	FilesRef string `json:"files_ref,omitempty"`
	// Contexts are the file digests taken from named build contexts
	// (COPY --from=NAME, RUN --mount=…,from=NAME), by context name.
	Contexts map[string]map[string]string `json:"contexts,omitempty"`
	// ContextRefs name the lists of Contexts kept in the file-list store,
	// by context name, as FilesRef does for Files.
	ContextRefs map[string]string `json:"context_refs,omitempty"`
	// Base is the resolved base image of a FROM step (ref@digest).
	Base string `json:"base,omitempty"`
	// Parents are the vertex digests of the steps this one builds on.
	Parents []string `json:"parents,omitempty"`
	// LLB is the step's normalised LLB op digest (see NormalizeLLB), when
	// the builder keeps provenance with its build history.
	LLB string `json:"llb,omitempty"`
	// Selected are the context paths a COPY/ADD selects or a RUN binds,
	// kept instead of Files when the files' digests are unknown (a build
	// buildscope did not run: the builder keeps no per-file digests).
	Selected []string `json:"selected,omitempty"`
	// Key digests all of the above with the parents' keys: equal keys in
	// two builds mean equal inputs, whatever the session.
	Key string `json:"key"`
}

// Duration is how long the step ran, zero if it has not finished.
func (s Step) Duration() time.Duration {
	if s.Started == nil || s.Completed == nil {
		return 0
	}
	return s.Completed.Sub(*s.Started)
}

// CacheSummary counts the steps that ran and those answered from the cache.
type CacheSummary struct {
	StepsTotal  int `json:"steps_total"`
	StepsCached int `json:"steps_cached"`
}

// Ran says BuildKit ran step s: it started it and did not answer it
// from the cache (a FROM evaluated only for its cache key included, as
// BuildKit counts it). The one definition behind the build's counts
// (CountSteps) and why's misses.
func (s Step) Ran() bool { return s.Started != nil && !s.Cached }

// CountSteps counts the steps of b's stages that ran or were answered
// from the cache; a step listed but never reached (a build that stopped
// first) is in neither. Total less cached is the number that Ran.
func (b *Build) CountSteps() CacheSummary {
	var c CacheSummary
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			if st.Cached {
				c.StepsCached++
			}
			if st.Cached || st.Ran() {
				c.StepsTotal++
			}
		}
	}
	return c
}

// Image describes the image a build produced.
type Image struct {
	// Platform is set for the images of a multi-platform result.
	Platform string `json:"platform,omitempty"`
	// Digest is the image's manifest digest; on the Docker engine, which
	// keeps no manifest, its image ID (the config's digest) unless the
	// build pushed it.
	Digest string `json:"digest"`
	// SizeBytes is the uncompressed content of the image's layers, as
	// `docker image ls` counts it (regular files' bytes and symlinks'
	// targets): the one size buildscope names size_bytes everywhere.
	SizeBytes int64 `json:"size_bytes"`
	// CompressedBytes is the layer blobs' size as a registry stores them;
	// 0 (left out) when not known: the Docker engine keeps layers
	// uncompressed.
	CompressedBytes int64   `json:"compressed_bytes,omitempty"`
	Layers          []Layer `json:"layers"`
}

// Layer is one filesystem layer of an image; its sizes mean what
// Image's do.
type Layer struct {
	Digest          string `json:"digest"`
	SizeBytes       int64  `json:"size_bytes"`
	CompressedBytes int64  `json:"compressed_bytes,omitempty"`
	CreatedBy       string `json:"created_by"`
}

// Result kinds of ResultRef.Kind.
const (
	ResultOCILayout = "oci-layout"
	ResultDocker    = "docker"
)

// ResultRef says where a build's image can be opened later (build:ID).
type ResultRef struct {
	Kind string `json:"kind"`
	// Path is the OCI layout directory (Kind oci-layout).
	Path string `json:"path,omitempty"`
	// Ref is the image reference: the manifest digest in the layout, or the
	// engine's image ID (Kind docker).
	Ref string `json:"ref"`
}

// Warning is a build-check warning reported by the Dockerfile frontend.
type Warning struct {
	Short string `json:"short"`
	Line  int    `json:"line,omitempty"`
	URL   string `json:"url,omitempty"`
}

// Holds says line lies in the stage, from its FROM to the next stage's;
// false when the record does not know the stage's lines.
func (s Stage) Holds(line int) bool {
	return s.Line > 0 && line >= s.Line && (s.EndLine == 0 || line <= s.EndLine)
}

// Advice is one piece of advice on a build, at the Dockerfile line it
// names (0: the whole build), with what it costs where that is measurable.
type Advice struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// CostBytes is the size the practice would save, CostSeconds the time
	// (measured in this build); 0 when not measurable.
	CostBytes   int64   `json:"cost_bytes,omitempty"`
	CostSeconds float64 `json:"cost_seconds,omitempty"`
}

// BakeRef says which bake a build was part of: every target of one
// `buildscope bake` is its own build record, and they share the bake's ID.
type BakeRef struct {
	// ID is shared by the records of every target of one bake.
	ID string `json:"id"`
	// Target is the bake target (a Compose service) this build is.
	Target string `json:"target"`
}

// CriticalSummary is what a build record keeps of its critical path: how
// many steps it holds and the longest of them, which `history ls` shows.
type CriticalSummary struct {
	Steps          int     `json:"steps"`
	Longest        string  `json:"longest"`
	LongestSeconds float64 `json:"longest_seconds"`
}

// SchemaError is a record written by a newer buildscope, in a shape this
// one does not know.
type SchemaError struct {
	ID     string
	Schema int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("record %s was written by a newer buildscope (record schema %d; this one reads up to %d): upgrade buildscope to read it", e.ID, e.Schema, SchemaVersion)
}

// CheckSchema refuses a record of a schema newer than SchemaVersion;
// older ones (and records without a schema) are read as they are.
func CheckSchema(b *Build) error {
	if b.Schema > SchemaVersion {
		return &SchemaError{ID: b.ID, Schema: b.Schema}
	}
	return nil
}
