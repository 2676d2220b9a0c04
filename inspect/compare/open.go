package compare

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/why"
)

// Result is a whole comparison: of the builds, when A and B are builds,
// and of their images.
type Result struct {
	A     string                   `json:"a"`
	B     string                   `json:"b"`
	Build *compare.BuildComparison `json:"build,omitempty"`
	Image *Images                  `json:"image"`
}

// Facts are what --fail-on judges.
func (r *Result) Facts() compare.Facts {
	f := compare.Facts{SizeA: r.Image.Size[0], SizeB: r.Image.Size[1], AnyDifferences: !r.Image.Same}
	for _, c := range r.Image.Files {
		if c.Kind == "A" {
			f.FilesAdded++
		}
	}
	for _, c := range r.Image.Config {
		f.ConfigChanges = append(f.ConfigChanges, c.Field)
	}
	if r.Build != nil {
		f.HasCache = true
		if t := r.Build.Cache[1].StepsTotal; t > 0 {
			f.CacheRatio = float64(r.Build.Cache[1].StepsCached) / float64(t)
		}
	}
	return f
}

// Specs resolves what to compare: two IMAGE specs as given, where
// build:last~N is the Nth build before the last of the same context,
// Dockerfile and target; with none, the last two builds of the context
// dir (that of the working directory).
func Specs(h history.History, args []string, dir string) (a, b string, err error) {
	switch len(args) {
	case 2:
		var all []*model.Build // the history, read once for both
		list := func() ([]*model.Build, error) {
			if all == nil {
				all, err = h.List()
			}
			return all, err
		}
		if a, err = resolveLast(h, list, args[0]); err != nil {
			return "", "", err
		}
		b, err = resolveLast(h, list, args[1])
		return a, b, err
	case 0:
	default:
		return "", "", fmt.Errorf("compare takes two images or builds, or none (the last two builds of this directory)")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	all, err := h.List()
	if err != nil {
		return "", "", err
	}
	var last *model.Build
	for _, x := range all {
		if x.Context == abs && x.Status == model.StatusOK && (last == nil || x.Started.After(last.Started)) {
			last = x
		}
	}
	if last == nil {
		return "", "", fmt.Errorf("no build of %s is recorded: build it twice, or name two images", abs)
	}
	prev := why.PreviousBuild(last, all)
	if prev == nil {
		return "", "", fmt.Errorf("build %s is the only recorded build of %s: build it again, or name two images", last.ID, abs)
	}
	return "build:" + prev.ID, "build:" + last.ID, nil
}

// resolveLast turns build:last and build:last~N into build:ID; any other
// spec is kept as given (source.Open reads it).
func resolveLast(h history.History, list func() ([]*model.Build, error), spec string) (string, error) {
	s, err := source.ParseSpec(spec)
	if err != nil {
		return "", err
	}
	if s.Kind != source.SpecBuild || s.Build != "last" {
		return spec, nil
	}
	id, err := source.BuildBack(h, s, list)
	if err != nil {
		return "", err
	}
	return "build:" + id, nil
}

// Run opens a and b (see source.Open) and compares them; when both are
// recorded builds, their steps too.
func Run(ctx context.Context, a, b string, o Options, so source.Options) (*Result, error) {
	p, err := Open(ctx, a, b, so)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	return p.Compare(ctx, o)
}

// Pair is two images opened for comparing, kept open so that the
// interactive view can read file contents after the comparison.
type Pair struct {
	A, B   string // the specs as given
	ia, ib *source.Image
}

// Open opens images a and b (see source.Open). Close releases them.
func Open(ctx context.Context, a, b string, so source.Options) (*Pair, error) {
	ia, err := source.Open(ctx, a, so)
	if err != nil {
		return nil, fmt.Errorf("opening image a (%s): %w", model.Printable(a), err)
	}
	ib, err := source.Open(ctx, b, so)
	if err != nil {
		ia.Close()
		return nil, fmt.Errorf("opening image b (%s): %w", model.Printable(b), err)
	}
	return &Pair{A: a, B: b, ia: ia, ib: ib}, nil
}

// Compare compares the two images; when both are recorded builds, their
// steps too.
func (p *Pair) Compare(ctx context.Context, o Options) (*Result, error) {
	r := &Result{A: p.A, B: p.B}
	var err error
	if r.Image, err = Compare(ctx, p.ia, p.ib, o); err != nil {
		return nil, err
	}
	if p.ia.Build != nil && p.ib.Build != nil {
		r.Build = compare.Builds(p.ia.Build, p.ib.Build)
	}
	return r, nil
}

// ContentDiff is a unified diff of the text file at path ("/etc/x")
// between A and B; "" when it is binary, too large or equal.
func (p *Pair) ContentDiff(path string) (string, error) {
	diffs, err := cdiff.ImageContentDiffs(p.ia, p.ib, []string{path})
	if err != nil {
		return "", fmt.Errorf("reading %s in A and B: %w", path, err)
	}
	return diffs[path], nil
}

// Close releases both images (removes what opening them made).
func (p *Pair) Close() {
	p.ia.Close()
	p.ib.Close()
}
