package buildrun

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// Retention says which of buildscope's records `history prune` keeps: the
// newest Keep (0: no such limit) and those started within OlderThan of
// now (0: no such limit). A record either limit rejects goes.
type Retention struct {
	Keep      int
	OlderThan time.Duration
}

// HistoryPruned is what `history prune` removed (`--json`).
type HistoryPruned struct {
	Removed []string `json:"removed"`
	// BuilderRefs are the builder's own records of those builds removed
	// with them (with --builder).
	BuilderRefs []string       `json:"builder_refs,omitempty"`
	Results     *results.Freed `json:"results"`
	Kept        []string       `json:"kept,omitempty"`
}

// Text is the prune as `history prune` prints it.
func (p *HistoryPruned) Text() string {
	var w strings.Builder
	fmt.Fprintf(&w, "removed %s from buildscope's history (their events and inputs too)", model.Count(len(p.Removed), "record"))
	if len(p.Removed) > 0 {
		fmt.Fprintf(&w, ": %s", strings.Join(p.Removed, " "))
	}
	w.WriteString("\n")
	if len(p.BuilderRefs) > 0 {
		fmt.Fprintf(&w, "removed the builder's own %s of them\n", model.Count(len(p.BuilderRefs), "record"))
	}
	w.WriteString(p.Results.Text())
	for _, k := range p.Kept {
		w.WriteString("kept: " + k + "\n")
	}
	return w.String()
}

// Goes returns the records of builds (oldest first) that r does not keep
// at now, oldest first.
func (r Retention) Goes(builds []*model.Build, now time.Time) []*model.Build {
	var out []*model.Build
	for i, b := range builds {
		tooMany := r.Keep > 0 && i < len(builds)-r.Keep
		tooOld := r.OlderThan > 0 && b.Started.Before(now.Add(-r.OlderThan))
		if tooMany || tooOld {
			out = append(out, b)
		}
	}
	return out
}

// PruneHistory removes the records of buildscope's history that r does
// not keep, then the blobs of the results store no record uses; with
// connect, also the builder's own records of those builds. It says what
// it removed and what it left; warn names the damaged records it skips
// (nil: none), which it never removes.
func PruneHistory(ctx context.Context, paths state.Paths, r Retention, connect builder.Connector, warn *history.Warner) (*HistoryPruned, error) {
	if r.Keep <= 0 && r.OlderThan <= 0 {
		return nil, errors.New("say what to keep: --keep N (the newest N records) and/or --older-than DURATION (e.g. 720h)")
	}
	h := history.History{Dir: paths.History(), Warn: warn}
	all, err := h.List()
	if err != nil {
		return nil, err
	}
	internal, err := h.Internal() // the stage builds: kept by the same rule, apart
	if err != nil {
		return nil, err
	}
	out := &HistoryPruned{Removed: []string{}}
	var own []string // the builders' own records of the builds removed
	for _, b := range append(r.Goes(all, time.Now()), r.Goes(internal, time.Now())...) {
		if _, err := h.Remove(b.ID); err != nil {
			return out, fmt.Errorf("pruning build %s (after removing %d): %w", b.ID, len(out.Removed), err)
		}
		out.Removed = append(out.Removed, b.ID)
		if ref, ok := builderRef(b); ok {
			own = append(own, ref)
		}
	}
	out.Results = sweep(h, paths)
	if len(own) == 0 {
		return out, nil
	}
	if connect == nil {
		out.Kept = append(out.Kept, fmt.Sprintf("the builders' own records of %s (%s), while they keep them (their logs, unredacted, and provenance): `buildscope history rm --builder B REF` removes one, and `buildscope builder prune --history` all of buildscope's on the embedded builder; with --builder, prune removes them too",
			model.Count(len(own), "build"), strings.Join(own, " ")))
		return out, nil
	}
	bl, err := connect(ctx)
	if err != nil {
		return out, fmt.Errorf("pruned %s from buildscope's history, but not the builder's own records: %w", model.Count(len(out.Removed), "record"), err)
	}
	defer bl.Close()
	if out.BuilderRefs, err = deleteBuilderRecords(ctx, bl, own); err != nil {
		return out, fmt.Errorf("pruned %s from buildscope's history and %d of the builder's own records, but not the rest: %w", model.Count(len(out.Removed), "record"), len(out.BuilderRefs), err)
	}
	return out, nil
}
