package model

// CacheMountUse is one cache mount of a build's step.
type CacheMountUse struct {
	Stage string `json:"stage"`
	Line  int    `json:"line"`
	CacheMount
	// SizeBytes is its size on the builder after the build.
	SizeBytes int64 `json:"size_bytes"`
	// Unknown, when set, says why SizeBytes and Warm are not known (both
	// are then zero): the builder's disk usage cannot tell this mount from
	// others.
	Unknown string `json:"unknown,omitempty"`
	// Warm says the build found it holding data; false: it started empty
	// (first use, pruned, or a CI runner that only imported --cache-from:
	// cache mounts are never exported with the build cache).
	Warm bool `json:"warm"`
	// Unused says the step was answered from the cache and never ran: it
	// did not use the mount, found it neither warm nor empty (Warm false).
	Unused bool `json:"unused,omitempty"`
}

// State is the mount's size and warmth as history show prints them.
func (m CacheMountUse) State() string {
	if m.Unused {
		s := "not used: the step was answered from the cache"
		if m.Unknown == "" {
			s = HumanSize(m.SizeBytes) + " on the builder, " + s
		}
		return s
	}
	if m.Unknown != "" {
		return "size and warmth unknown: " + Printable(m.Unknown)
	}
	state := "found empty"
	if m.Warm {
		state = "found warm"
	}
	return HumanSize(m.SizeBytes) + " on the builder, " + state
}

// WithUnknown is m with its size and warmth unknown, for the reason why.
func (m CacheMountUse) WithUnknown(why string) CacheMountUse {
	m.SizeBytes, m.Warm, m.Unknown = 0, false, why
	return m
}

// CacheMount is a RUN --mount=type=cache as the Dockerfile frontend turns
// it into BuildKit's persistent cache directory.
type CacheMount struct {
	// ID is the cache's id (the target when not given), as BuildKit
	// names it in its disk usage: "with id \"/ID\"".
	ID      string `json:"id"`
	Target  string `json:"target"`
	Sharing string `json:"sharing"` // shared, private or locked
}

// CacheImport is what one --cache-from of a build held, as buildscope
// read the cache after the build: the records of its cache config
// (BuildKit's cache keys, linked like the key store's), or why it could
// not be read.
type CacheImport struct {
	// Ref is the --cache-from value.
	Ref string `json:"ref"`
	// Error says why the cache could not be read (it is missing, the
	// registry refused it, a type buildscope does not read).
	Error   string           `json:"error,omitempty"`
	Records []ImportedRecord `json:"records,omitempty"`
}

// ImportedRecord is one record of an imported cache.
type ImportedRecord struct {
	// Digest is the record's key digest: a step's CacheKey.OpDigest, or
	// a root's (a base image, a content checksum).
	Digest string `json:"digest"`
	// Result is true when the record carries layers (a result BuildKit
	// can reuse).
	Result bool `json:"result,omitempty"`
	// Inputs are, per input of the op, the indexes of the records it is
	// linked to.
	Inputs [][]int `json:"inputs,omitempty"`
}
