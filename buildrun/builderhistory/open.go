package builderhistory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	"google.golang.org/grpc/codes"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// Open opens a build of the builder's own history (made by
// buildx, buildctl, CI or buildscope) as a build record: ref is BuildKit's
// ref, a unique prefix of it, or "last" (the latest finished build). It
// reads the record's log and provenance blobs; what the record lacks is
// in the build's Origin.Missing. It has no Explain (Explain
// does that) and its Close does nothing.
func Open(ctx context.Context, b *builder.Builder, ref string) (*OpenedBuild, error) {
	r, err := findRecord(ctx, b, ref)
	if err != nil {
		return nil, err
	}
	return recordBuild(ctx, r, proxy.NewContentStore(b.Client.ContentClient()), b.Name(), keysOf(b))
}

// findRecord reads the builder's history and finds the finished record
// ref names in it (resolveRecord).
func findRecord(ctx context.Context, b *builder.Builder, ref string) (*controlapi.BuildHistoryRecord, error) {
	raw, err := Records(ctx, b, 0)
	if err != nil {
		return nil, err
	}
	return resolveRecord(raw, ref, b.Name())
}

// resolveRecord finds the finished record ref names among raw (newest
// first).
func resolveRecord(raw []*controlapi.BuildHistoryRecord, ref, builder string) (*controlapi.BuildHistoryRecord, error) {
	var found []*controlapi.BuildHistoryRecord
	for _, r := range raw {
		switch {
		case ref == "last" || ref == "":
			if r.CompletedAt != nil {
				return r, nil
			}
		case r.Ref == ref:
			found = []*controlapi.BuildHistoryRecord{r}
		case strings.HasPrefix(r.Ref, ref):
			found = append(found, r)
		}
		if len(found) == 1 && found[0].Ref == ref {
			break
		}
	}
	switch {
	case len(found) == 0 && (ref == "last" || ref == ""):
		return nil, fmt.Errorf("the %s builder's history has no finished build", builder)
	case len(found) == 0:
		return nil, fmt.Errorf("no build %q in buildscope's history or the %s builder's: `buildscope history ls --builder %s` lists them", ref, builder, builder)
	case len(found) > 1:
		return nil, fmt.Errorf("build ref %q is ambiguous (%d of the builder's builds start with it): give more characters", ref, len(found))
	case found[0].CompletedAt == nil:
		ref := model.Printable(found[0].Ref)
		return nil, fmt.Errorf("build %s is still running on the %s builder: `buildscope attach %s` follows it", ref, builder, ref)
	}
	return found[0], nil
}

// Explain explains a build of the builder's own history
// (opened with Open) against the previous finished build on
// that builder of the same frontend, Dockerfile name, target and client
// directory (where the client names one), comparing the inputs its
// Dockerfile and LLB give. A record that lacks them is an error saying so.
func Explain(ctx context.Context, b *builder.Builder, cur *model.Build) (*why.Explanation, error) {
	if cur.Origin == nil {
		return nil, fmt.Errorf("build %s is not a record of the builder's history", cur.ID)
	}
	if cur.Origin.Missing != "" {
		return nil, fmt.Errorf("build %s cannot be explained: its record lacks %s", cur.ID, cur.Origin.Missing)
	}
	raw, err := Records(ctx, b, 0)
	if err != nil {
		return nil, err
	}
	var this *controlapi.BuildHistoryRecord
	for _, r := range raw {
		if r.Ref == cur.Origin.Ref {
			this = r
		}
	}
	if this == nil {
		return nil, fmt.Errorf("build %s is no longer in the %s builder's history", cur.ID, b.Name())
	}
	store := proxy.NewContentStore(b.Client.ContentClient())
	for _, r := range raw { // newest first: the first that fits is the previous build
		if !sameBuildOf(r, this) || !created(r).Before(created(this)) {
			continue
		}
		prev, err := recordBuild(ctx, r, store, b.Name(), keysOf(b))
		if err != nil {
			return nil, err
		}
		if prev.Build.Origin.Missing == "" {
			return why.Explain(cur, prev.Build), nil
		}
	}
	return why.Explain(cur, nil), nil
}

// sameBuildOf says whether r is a finished, not canceled build of the same
// frontend, Dockerfile name, target and client directory as this.
func sameBuildOf(r, this *controlapi.BuildHistoryRecord) bool {
	if r.Ref == this.Ref || r.CompletedAt == nil || r.Frontend != this.Frontend {
		return false
	}
	if r.Error != nil && r.Error.Code == int32(codes.Canceled) {
		return false
	}
	for _, k := range []string{"filename", "target", "vcs:source", "vcs:localdir:context", "vcs:localdir:dockerfile", "context"} {
		if r.FrontendAttrs[k] != this.FrontendAttrs[k] {
			return false
		}
	}
	return true
}

// OpenedBuild is a build opened by ID from buildscope's history or, when
// it is not there, from the builder's own.
type OpenedBuild struct {
	Build *model.Build
	// Events is its status stream, for the UI's replay.
	Events []*client.SolveStatus
	// Dockerfile is the Dockerfile's text, when known (a foreign
	// build's provenance keeps it).
	Dockerfile []byte
	// Explain explains it against the previous build of the same
	// Dockerfile, from the history it came from.
	Explain func() (*why.Explanation, error)
	// Close closes the builder's connection, if one was opened.
	Close func()
}

// OpenBuild opens build id (an ID, unique prefix, or "last") from
// buildscope's history h; when h has no such build and connect is not nil
// (a builder was named), from that builder's own history, by BuildKit's
// ref. A damaged record of h is an error, never looked for elsewhere.
func OpenBuild(ctx context.Context, h history.History, id string, connect func(context.Context) (*builder.Builder, error)) (*OpenedBuild, error) {
	b, err := h.Get(id)
	var damaged *history.DamagedRecord
	if err == nil || connect == nil || errors.As(err, &damaged) || id == "" || id == "last" {
		if err != nil {
			return nil, err
		}
		events, err := h.Events(b.ID)
		var damaged *history.DamagedEvents
		if errors.As(err, &damaged) { // the record is intact: open it, saying so
			b.Warnings = append(b.Warnings, damaged.Warning())
		} else if err != nil {
			return nil, err
		}
		explain := func() (*why.Explanation, error) { return h.Explain(b) }
		if b.Origin != nil && b.Origin.Missing != "" { // an imported record
			explain = func() (*why.Explanation, error) {
				return nil, fmt.Errorf("build %s cannot be explained: its record lacks %s", b.ID, b.Origin.Missing)
			}
		}
		return &OpenedBuild{Build: b, Events: events, Explain: explain, Close: func() {}}, nil
	}
	bl, cerr := connect(ctx)
	if cerr != nil {
		return nil, cerr
	}
	fo, ferr := Open(ctx, bl, id)
	if ferr != nil {
		bl.Close()
		if errors.Is(ferr, ErrNoHistory) {
			return nil, err // buildscope's own answer says more
		}
		return nil, ferr
	}
	fo.Close = bl.Close
	fo.Explain = func() (*why.Explanation, error) { return Explain(ctx, bl, fo.Build) }
	return fo, nil
}

// ExplainBuild opens build id as OpenBuild does and explains its cache
// misses against the previous build of the same Dockerfile and target.
// With a builder named and no id (or "last"), it is that builder's last
// finished build: buildscope's own record of it when buildscope ran it.
func ExplainBuild(ctx context.Context, h history.History, id string, connect builder.Connector) (*model.Build, *why.Explanation, error) {
	if connect != nil && (id == "" || id == "last") {
		bl, err := connect(ctx)
		if err != nil {
			return nil, nil, err
		}
		defer bl.Close()
		r, err := findRecord(ctx, bl, "last")
		if err != nil {
			return nil, nil, err
		}
		if own, ok := strings.CutPrefix(r.Ref, "buildscope-"); ok {
			if b, err := h.Get(own); err == nil && b.ID == own {
				return ExplainBuild(ctx, h, own, nil)
			}
		}
		fo, err := recordBuild(ctx, r, proxy.NewContentStore(bl.Client.ContentClient()), bl.Name(), keysOf(bl))
		if err != nil {
			return nil, nil, err
		}
		ex, err := Explain(ctx, bl, fo.Build)
		return fo.Build, ex, err
	}
	o, err := OpenBuild(ctx, h, id, connect)
	if err != nil {
		return nil, nil, err
	}
	defer o.Close()
	ex, err := o.Explain()
	return o.Build, ex, err
}

// Remove deletes a finished build from the builder's own
// history (its record and the blobs only it holds), by ref or unique
// prefix, and returns the full ref.
func Remove(ctx context.Context, b *builder.Builder, ref string) (string, error) {
	r, err := findRecord(ctx, b, ref)
	if err != nil {
		return "", err
	}
	return r.Ref, builder.DeleteRecord(ctx, b, r.Ref)
}
