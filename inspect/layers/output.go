package layers

import (
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/cirules"
	"github.com/buildscope/buildscope/model"
)

// Output is the JSON of `inspect --json`: the analysis' Report, and when
// CI rules judged it, their verdict.
type Output struct {
	*Report
	CI *cirules.Verdict `json:"ci,omitempty"`

	results []cirules.Result
}

// Inspect analyses img (spec names it) and, when ci is set, judges the
// analysis by rules.
func Inspect(ctx context.Context, spec string, img v1.Image, ci bool, rules []cirules.Rule) (*Output, error) {
	a, err := Analyze(ctx, img, Options{})
	if err != nil {
		return nil, fmt.Errorf("inspecting %s: %w", model.Printable(spec), err)
	}
	digest, _ := img.Digest()
	out := &Output{Report: NewReport(spec, digest.String(), a)}
	if ci {
		var pass bool
		out.results, pass = cirules.Evaluate(rules, cirules.Measures{
			Efficiency: a.Efficiency, WastedBytes: a.WastedBytes, WastedUserPercent: a.WastedUserPercent})
		out.CI = cirules.NewVerdict(out.results, pass)
	}
	return out, nil
}

// Pass reports whether the image passed the CI rules (true when none
// judged it).
func (o *Output) Pass() bool { return o.CI == nil || o.CI.Pass }

// Write prints the output as `buildscope inspect` does: JSON, or with CI
// rules the analysis and each rule's PASS/FAIL/SKIP, else the layer table
// and waste.
func (o *Output) Write(w io.Writer, asJSON bool) error {
	switch {
	case asJSON:
		return model.WriteJSON(w, o)
	case o.CI != nil:
		if err := o.WriteCIAnalysis(w); err != nil {
			return err
		}
		return cirules.WriteEvaluation(w, o.results, o.CI.Pass)
	}
	return o.WriteText(w)
}
