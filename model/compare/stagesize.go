package compare

import (
	"path"
	"sort"
)

// StageReport is what `buildscope stages` reports: every stage's size,
// the final image, what the final image left behind in the stages it
// copies from, and the single-stage equivalent.
type StageReport struct {
	Dockerfile  string       `json:"dockerfile"`
	Stages      []StageSize  `json:"stages"`
	Final       FinalSize    `json:"final"`
	LeftBehind  []PathSize   `json:"left_behind"`
	SingleStage *SingleStage `json:"single_stage,omitempty"`
	// Compare is the report of the Dockerfile given with --compare.
	Compare *StageReport `json:"compare,omitempty"`
}

// StageSize is the size of the image a stage builds.
type StageSize struct {
	Name            string `json:"name"`
	SizeBytes       int64  `json:"size_bytes"`
	CompressedBytes int64  `json:"compressed_bytes"`
	Layers          int    `json:"layers"`
	Final           bool   `json:"final"`
	BuildID         string `json:"build_id"`
}

// FinalSize names the final stage and its size.
type FinalSize struct {
	Name            string `json:"name"`
	SizeBytes       int64  `json:"size_bytes"`
	CompressedBytes int64  `json:"compressed_bytes"`
}

// PathSize is a path left behind and the bytes under it.
type PathSize struct {
	Path      string `json:"path"`
	SizeBytes int64  `json:"size_bytes"`
	Stage     string `json:"stage"`
}

// SingleStage compares the final image with shipping the stage that
// builds the app (what a single-stage Dockerfile would ship).
type SingleStage struct {
	Stage      string  `json:"stage"`
	SizeBytes  int64   `json:"size_bytes"`
	FinalBytes int64   `json:"final_bytes"`
	SavedBytes int64   `json:"saved_bytes"`
	Ratio      float64 `json:"ratio"`
}

// FileEntry is a path in an image's filesystem: its size and, for regular
// files, the digest of its content; its mode, owner and link target; and
// the layer (0-based) that last wrote it.
type FileEntry struct {
	Size     int64
	Digest   string
	Dir      bool
	Mode     int64
	UID, GID int
	Link     string // a symlink's or hard link's target
	Layer    int
}

// FileSet is an image's flattened filesystem by absolute path.
type FileSet map[string]FileEntry

// LeftBehind lists what the stages the final image copies from hold and
// the final image does not: regular files whose path is absent from the
// final image and whose content is nowhere in it, summed under their
// top-most ancestor that the final image lacks (e.g. /opt for a toolchain
// in /opt/toolchain). Largest first; at most limit entries (0: all).
func LeftBehind(final FileSet, sources map[string]FileSet, order []string, limit int) []PathSize {
	content := map[string]bool{}
	for _, f := range final {
		if f.Digest != "" {
			content[f.Digest] = true
		}
	}
	sums := map[string]*PathSize{}
	counted := map[string]bool{}
	for _, stage := range order {
		for p, f := range sources[stage] {
			if f.Dir || f.Digest == "" || counted[p] {
				continue
			}
			if _, ok := final[p]; ok || content[f.Digest] {
				continue
			}
			counted[p] = true
			root := p
			for a := path.Dir(p); a != "/" && a != "."; a = path.Dir(a) {
				if _, ok := final[a]; ok {
					break
				}
				root = a
			}
			ps := sums[root]
			if ps == nil {
				ps = &PathSize{Path: root, Stage: stage}
				sums[root] = ps
			}
			ps.SizeBytes += f.Size
		}
	}
	out := make([]PathSize, 0, len(sums))
	for _, ps := range sums {
		out = append(out, *ps)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SizeBytes != out[j].SizeBytes {
			return out[i].SizeBytes > out[j].SizeBytes
		}
		return out[i].Path < out[j].Path
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// CompareSingleStage picks, among the stages the final image copies from,
// the largest as the stage that builds the app, and compares.
func SingleStageFor(stages []StageSize, final string, sources []string) *SingleStage {
	var fin, best *StageSize
	for i := range stages {
		s := &stages[i]
		if s.Name == final {
			fin = s
		}
		for _, src := range sources {
			if s.Name == src && (best == nil || s.SizeBytes > best.SizeBytes) {
				best = s
			}
		}
	}
	if fin == nil || best == nil || best.SizeBytes == 0 {
		return nil
	}
	return &SingleStage{Stage: best.Name, SizeBytes: best.SizeBytes, FinalBytes: fin.SizeBytes,
		SavedBytes: best.SizeBytes - fin.SizeBytes, Ratio: float64(fin.SizeBytes) / float64(best.SizeBytes)}
}
