package compare

import (
	"context"
	"io"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model/compare"
)

// Job is one `buildscope compare`: the two images (Specs), how to
// compare and open them, and the --fail-on rules judging the result.
type Job struct {
	A, B    string
	Options Options
	Source  source.Options
	FailOn  []string
}

// NewJob checks the fail-on rules (before any work) and resolves args
// as Specs does against the history h and the context dir.
func NewJob(h history.History, args []string, dir string, failOn []string, o Options, so source.Options) (*Job, error) {
	if _, err := compare.FailOn(failOn, compare.Facts{HasCache: true}); err != nil {
		return nil, err
	}
	a, b, err := Specs(h, args, dir)
	if err != nil {
		return nil, err
	}
	return &Job{A: a, B: b, Options: o, Source: so, FailOn: failOn}, nil
}

// Run compares the images, prints the result on w (Result.Write) and
// returns the fail-on rules it fails, one line each.
func (j *Job) Run(ctx context.Context, w io.Writer, asJSON bool) ([]string, error) {
	res, err := Run(ctx, j.A, j.B, j.Options, j.Source)
	if err != nil {
		return nil, err
	}
	if err := res.Write(w, asJSON); err != nil || len(j.FailOn) == 0 {
		return nil, err
	}
	return compare.FailOn(j.FailOn, res.Facts())
}
