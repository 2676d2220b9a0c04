package buildrun

import (
	"context"
	"errors"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// HistorySource is what the history list (the home screen) reads:
// buildscope's history and, when one answers, a builder's own.
type HistorySource struct {
	History history.History
	// Builder is the builder whose history is listed beside buildscope's,
	// nil for none.
	Builder *builder.Builder
}

// OpenHistorySource connects to the builder the history list shows: the
// one spec names (--builder), else o.Env.Host (BUILDKIT_HOST), else the embedded
// builder if it is running (it is not started for a list). Without any,
// Builder is nil and only buildscope's history is listed.
func OpenHistorySource(ctx context.Context, h history.History, spec string, o builder.ConnectOptions) (*HistorySource, error) {
	hs := &HistorySource{History: h}
	switch {
	case spec != "":
		b, err := builder.Connect(ctx, spec, o)
		if err != nil {
			return nil, err
		}
		hs.Builder = b
	case o.Env.Host != "":
		b, err := builder.Connect(ctx, "", o)
		if err != nil {
			return nil, err
		}
		hs.Builder = b
	default:
		e := o.Embedded()
		if c, err := e.Dial(ctx); err == nil {
			hs.Builder = &builder.Builder{Kind: builder.KindEmbedded, Address: e.Address(), Client: c}
		}
	}
	return hs, nil
}

// Close closes the builder's connection.
func (hs *HistorySource) Close() {
	if hs.Builder != nil {
		hs.Builder.Close()
	}
}

// BuilderName names the builder listed, "" for none.
func (hs *HistorySource) BuilderName() string {
	if hs.Builder == nil {
		return ""
	}
	return hs.Builder.Name()
}

// Entries lists buildscope's builds and the builder's, running ones
// first (model.MergeHistory). It reads records only, no blob. A builder
// that keeps no history adds nothing.
func (hs *HistorySource) Entries(ctx context.Context) ([]model.HistoryRow, error) {
	h := hs.History
	h.Warn = nil            // the UI owns the terminal
	own, _, err := h.Scan() // the internal builds too: MergeHistory hides them on both sides
	if err != nil {
		return nil, err
	}
	var theirs []model.HistoryRow
	if hs.Builder != nil {
		recs, err := builderhistory.List(ctx, hs.Builder, 0)
		if err != nil && !errors.Is(err, builderhistory.ErrNoHistory) {
			return nil, err
		}
		builderhistory.FillSteps(recs, own)
		for _, r := range recs {
			row := model.HistoryRow{ID: r.Ref, By: r.By, Status: r.Status, Started: r.Started, Completed: r.Completed,
				Cached: r.VerticesCached, Total: r.VerticesTotal, Vertices: true, Target: r.Target, Dockerfile: r.Filename}
			if r.Steps != nil {
				row.Cached, row.Total, row.Vertices = r.Steps.StepsCached, r.Steps.StepsTotal, false
			}
			theirs = append(theirs, row)
		}
	}
	return model.MergeHistory(own, theirs), nil
}

// Open opens one entry: from buildscope's history, or the builder's.
func (hs *HistorySource) Open(ctx context.Context, e model.HistoryRow) (*builderhistory.OpenedBuild, error) {
	if e.From == model.FromBuilder && hs.Builder != nil {
		o, err := builderhistory.Open(ctx, hs.Builder, e.ID)
		if err != nil {
			return nil, err
		}
		o.Explain = func() (*why.Explanation, error) { return builderhistory.Explain(ctx, hs.Builder, o.Build) }
		return o, nil
	}
	return builderhistory.OpenBuild(ctx, hs.History, e.ID, nil)
}

// Localize makes build:ID of an entry open without the builder: a build of
// the builder's history is imported into buildscope's (its record, and
// its image while the builder holds it; see builderhistory.Import).
// buildscope's own builds are there already.
func (hs *HistorySource) Localize(ctx context.Context, paths state.Paths, e model.HistoryRow) error {
	if e.From != model.FromBuilder || hs.Builder == nil {
		return nil
	}
	_, err := builderhistory.Import(ctx, hs.Builder, hs.History, paths, e.ID)
	return err
}

// Explain opens an entry and explains its cache misses (the history
// list's why view).
func (hs *HistorySource) Explain(ctx context.Context, e model.HistoryRow) (*model.Build, *why.Explanation, error) {
	o, err := hs.Open(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	ex, err := o.Explain()
	return o.Build, ex, err
}
