package stagesize

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// Request is what `buildscope stages` measures: a prepared Dockerfile
// and, optionally, a second one to show beside it.
type Request struct {
	Main *build.Prepared
	// Compare, when set, is the Dockerfile CompareFile names, built with
	// its own directory as the context and its last stage as the target.
	Compare     *build.Prepared
	CompareFile string
	// Top is how many left-behind paths each report lists.
	Top int
}

// NewRequest prepares o and, when compare names a Dockerfile, that one
// with o's other inputs; it reads the Dockerfiles, so errors in them show
// before a builder is reached.
func NewRequest(o build.Options, compare string, top int) (*Request, error) {
	p, err := build.Prepare(o)
	if err != nil {
		return nil, err
	}
	r := &Request{Main: p, CompareFile: compare, Top: top}
	if compare != "" {
		o.Dockerfile, o.ContextDir, o.Target = compare, filepath.Dir(compare), ""
		if r.Compare, err = build.Prepare(o); err != nil {
			return nil, fmt.Errorf("--compare: %w", err)
		}
	}
	return r, nil
}

// Report measures the request's Dockerfiles on b (see Report); the
// second's report is the first's Compare.
func (r *Request) Report(ctx context.Context, b *builder.Builder, paths state.Paths) (*compare.StageReport, error) {
	rep, err := Report(ctx, b, r.Main, paths, r.Top)
	if err != nil {
		return nil, err
	}
	if r.Compare != nil {
		if rep.Compare, err = Report(ctx, b, r.Compare, paths, r.Top); err != nil {
			return nil, fmt.Errorf("--compare %s: %w", r.CompareFile, err)
		}
	}
	return rep, nil
}

// Reporter returns the build UI's stage view: Report of p on b, on
// demand, with the top 10 left-behind paths.
func Reporter(b *builder.Builder, p *build.Prepared, paths state.Paths) func(context.Context) (*compare.StageReport, error) {
	return func(ctx context.Context) (*compare.StageReport, error) {
		return Report(ctx, b, p, paths, 10)
	}
}

// Write prints rep as `buildscope stages` does: JSON, or WriteText's
// table.
func Write(w io.Writer, rep *compare.StageReport, asJSON bool) error {
	if asJSON {
		return model.WriteJSON(w, rep)
	}
	return WriteText(w, rep)
}
