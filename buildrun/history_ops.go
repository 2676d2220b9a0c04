package buildrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/buildscope/buildscope/buildrun/build"
	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/buildrun/results"
	"github.com/buildscope/buildscope/buildrun/state"
	"github.com/buildscope/buildscope/model"
)

// Removed says what `history rm` removed, from which history, and what
// of the build it left.
type Removed struct {
	ID   string `json:"removed"`
	From string `json:"from"`
	// BuilderRef is the builder's own record of the same build, removed
	// with buildscope's (with --builder).
	BuilderRef string `json:"builder_ref,omitempty"`
	// Results is what the sweep of the results store freed (nil when only
	// a builder's record was removed).
	Results *results.Freed `json:"results,omitempty"`
	// Kept says what of the build is left, and how to remove it.
	Kept []string `json:"kept,omitempty"`
}

// Text is the removal as `history rm` prints it.
func (r *Removed) Text() string {
	s := fmt.Sprintf("removed %s from %s\n", r.ID, r.From)
	if r.BuilderRef != "" {
		s += fmt.Sprintf("removed %s from the builder's own history\n", r.BuilderRef)
	}
	if r.Results != nil {
		s += r.Results.Text()
	}
	for _, k := range r.Kept {
		s += "kept: " + k + "\n"
	}
	return s
}

// RemoveAnywhere removes the record id from buildscope's history, and
// the blobs of the results store no record uses any more; with connect,
// also the builder's own record of that build. When id is not in
// buildscope's history and connect is set, it removes the builder's own
// record of that ref. It says which, and what is left; warn names the
// damaged records it skips (nil: none).
func RemoveAnywhere(ctx context.Context, paths state.Paths, id string, connect builder.Connector, warn *history.Warner) (*Removed, error) {
	h := history.History{Dir: paths.History(), Warn: warn}
	b, err := h.Remove(id)
	var none *history.NoBuildError
	if errors.As(err, &none) && connect != nil {
		return removeBuilderOnly(ctx, id, connect)
	}
	if err != nil {
		return nil, err
	}
	r := &Removed{ID: b.ID, From: "buildscope's history (its record, events and inputs)", Results: sweep(h, paths)}
	if b.Result != nil && b.Result.Kind == model.ResultDocker {
		r.Kept = append(r.Kept, fmt.Sprintf("its image %s, in the Docker engine's store (`docker image rm` removes it)", model.Printable(b.Result.Ref)))
	}
	ref, ok := builderRef(b)
	switch {
	case !ok:
		return r, nil
	case b.Builder == "" && connect == nil: // a damaged record
		r.Kept = append(r.Kept, "the builder's own record of that build, if a builder keeps it: the damaged record does not say which builder ran it")
		return r, nil
	}
	if connect == nil {
		r.Kept = append(r.Kept, fmt.Sprintf("the %s builder's own record %s, while it keeps it (its logs, unredacted, and provenance): `buildscope history rm --builder %s %s` removes it",
			model.Printable(b.Builder), ref, model.Printable(b.Builder), ref))
		return r, nil
	}
	bl, err := connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("removed %s from buildscope's history, but not the builder's own record: %w", b.ID, err)
	}
	defer bl.Close()
	found, err := deleteBuilderRecords(ctx, bl, []string{ref})
	switch {
	case err != nil:
		return nil, fmt.Errorf("removed %s from buildscope's history, but not the builder's own record: %w", b.ID, err)
	case len(found) == 1:
		r.BuilderRef = ref
	default:
		r.Kept = append(r.Kept, fmt.Sprintf("nothing on the %s builder: its history holds no %s (BuildKit keeps the last 50 by default, or the build ran on another builder)", bl.Name(), ref))
	}
	return r, nil
}

// builderRef is the ref of the builder's own record of b, and whether
// there is one: none on the Docker engine (it keeps no history) nor for
// an imported bundle (its builder is elsewhere); a copy of a builder's
// record names it in its origin.
func builderRef(b *model.Build) (string, bool) {
	switch {
	case b.Builder == "docker" || (b.Origin != nil && b.Origin.Imported != ""):
		return "", false
	case b.Origin != nil:
		return b.Origin.Ref, true
	}
	return build.SolveRef(b.ID), true
}

// sweep sweeps the results store after records were removed: a failure
// is said as what was not swept, beside what was removed, never in place
// of it.
func sweep(h history.History, paths state.Paths) *results.Freed {
	f, err := results.Sweep(paths.Results(), func() ([]*model.Build, int, error) {
		builds, damaged, err := h.Scan()
		return builds, len(damaged), err
	})
	if err != nil {
		return &results.Freed{Skipped: err.Error()}
	}
	return f
}

// deleteBuilderRecords deletes the builder's finished records of exactly
// refs, and returns the refs it held.
func deleteBuilderRecords(ctx context.Context, b *builder.Builder, refs []string) ([]string, error) {
	raw, err := builderhistory.Records(ctx, b, 0)
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var found []string
	for _, r := range raw {
		if want[r.Ref] {
			if err := builder.DeleteRecord(ctx, b, r.Ref); err != nil {
				return found, err
			}
			found = append(found, r.Ref)
		}
	}
	return found, nil
}

// removeBuilderOnly removes the builder's own record of ref.
func removeBuilderOnly(ctx context.Context, ref string, connect builder.Connector) (*Removed, error) {
	bl, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer bl.Close()
	ref, err = builderhistory.Remove(ctx, bl, ref)
	if err != nil {
		return nil, err
	}
	return &Removed{ID: ref, From: "the " + bl.Name() + " builder's history"}, nil
}

// Import imports arg into h: a `docker buildx history export` bundle file
// or, when there is no such file and connect is set, the builder's record
// of that ref with the image it exported.
func Import(ctx context.Context, h history.History, paths state.Paths, arg string, connect builder.Connector) ([]*model.Build, error) {
	if _, err := os.Stat(arg); err == nil || connect == nil {
		return builderhistory.ImportBundle(ctx, h, arg)
	}
	b, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	rec, err := builderhistory.Import(ctx, b, h, paths, arg)
	if err != nil {
		return nil, err
	}
	return []*model.Build{rec}, nil
}

// ImportBuilderRecords makes each build:ID of specs open where ID is not
// buildscope's but a build of the builder's own history (buildx, buildctl,
// CI): with connect, it copies that record and its image into buildscope's
// history as `history import --builder` does, writing what it copied and
// the record's warnings to w. It does nothing without connect, for specs
// that are not build:ID, for last and last~N, or when buildscope has the
// build (or a damaged record of it, which opening reports).
func ImportBuilderRecords(ctx context.Context, paths state.Paths, connect builder.Connector, w io.Writer, warn *history.Warner, specs ...string) error {
	if connect == nil {
		return nil
	}
	h := history.History{Dir: paths.History(), Warn: warn}
	for _, s := range specs {
		id, ok := strings.CutPrefix(s, "build:")
		if !ok || id == "" || id == "last" || strings.HasPrefix(id, "last~") {
			continue
		}
		var none *history.NoBuildError
		if _, err := h.Get(id); !errors.As(err, &none) {
			continue
		}
		rec, err := importFrom(ctx, h, paths, id, connect)
		if err != nil {
			return err
		}
		fmt.Fprint(w, ImportedText([]*model.Build{rec}))
		for _, wn := range rec.Warnings {
			fmt.Fprintln(w, "buildscope: "+wn.Short)
		}
	}
	return nil
}

// importFrom copies the builder's record id, with its image, into h.
func importFrom(ctx context.Context, h history.History, paths state.Paths, id string, connect builder.Connector) (*model.Build, error) {
	b, err := connect(ctx)
	if err != nil {
		return nil, fmt.Errorf("build %q is not in buildscope's history, and the builder that may hold it: %w", id, err)
	}
	defer b.Close()
	return builderhistory.Import(ctx, b, h, paths, id)
}
