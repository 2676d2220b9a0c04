// Package builderhistory is the builder's own history: the records
// BuildKit keeps of every build on it (buildx, buildctl, CI, buildscope's),
// listed, opened as build records, explained, removed and imported
// (with buildx's export bundles), and the builds it is running, attached to.
package builderhistory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/model"
)

// Record is one build from the builder's own history: buildscope's
// builds and those buildx, buildctl or CI ran on the same builder.
type Record struct {
	Ref       string    `json:"ref"`
	By        string    `json:"by"` // "buildscope", or "other" (buildx, buildctl, CI…)
	Status    string    `json:"status"`
	Error     string    `json:"error,omitempty"`
	Frontend  string    `json:"frontend"`
	Target    string    `json:"target,omitempty"`
	Filename  string    `json:"dockerfile,omitempty"`
	Started   time.Time `json:"started"`
	Completed time.Time `json:"completed,omitempty"`
	// VerticesCached and VerticesTotal are BuildKit's own counts
	// (NumCachedSteps, NumTotalSteps): vertices, which include a FROM's
	// metadata load, the context transfer and each stage's FROM. They
	// are not buildscope's steps, so they carry another name.
	VerticesCached int `json:"vertices_cached"`
	VerticesTotal  int `json:"vertices_total"`
	// Steps counts the build's steps as buildscope's records do
	// (model.Build.CountSteps), when buildscope holds a record of the
	// build (its own, or one imported); nil when it does not: the
	// builder's record alone cannot tell steps from vertices.
	Steps *model.CacheSummary `json:"steps,omitempty"`
	// Provenance says whether the record keeps the build's provenance
	// (its Dockerfile and LLB), which explaining it needs.
	Provenance bool `json:"provenance"`
}

// ErrNoHistory is returned for a builder that keeps no build
// history (the Docker engine's BuildKit before engine 23).
var ErrNoHistory = errors.New("this builder keeps no build history")

// noHistory is an error that says in its own words that a builder keeps
// no build history; errors.Is finds ErrNoHistory in it, but its text is
// not appended (it would say the same twice).
type noHistory string

func (e noHistory) Error() string        { return string(e) }
func (e noHistory) Is(target error) bool { return target == ErrNoHistory }

// List lists the builder's own build records, newest first, at
// most limit of them (0: all). It reads the records only, no blob, but
// on the embedded builder it keeps the cache keys of the builds it has
// not seen before (captureKeys): a later prune would erase them.
func List(ctx context.Context, b *builder.Builder, limit int) ([]Record, error) {
	raw, err := Records(ctx, b, limit)
	if err != nil {
		return nil, err
	}
	captureKeys(ctx, b, raw)
	out := make([]Record, 0, len(raw))
	for _, r := range raw {
		out = append(out, builderRecord(r))
	}
	return out, nil
}

// Records reads the builder's history records, newest first, at
// most limit of them (0: all), without reading any blob.
func Records(ctx context.Context, b *builder.Builder, limit int) ([]*controlapi.BuildHistoryRecord, error) {
	req := &controlapi.BuildHistoryRequest{EarlyExit: true}
	if limit > 0 {
		req.Limit = int32(limit)
	}
	cl, err := b.Client.ControlClient().ListenBuildHistory(ctx, req)
	if err == nil {
		var out []*controlapi.BuildHistoryRecord
		for {
			ev, rerr := cl.Recv()
			if errors.Is(rerr, io.EOF) {
				sort.SliceStable(out, func(i, j int) bool { return created(out[i]).After(created(out[j])) })
				return out, nil
			}
			if rerr != nil {
				err = rerr
				break
			}
			if ev.Record != nil && ev.Type != controlapi.BuildHistoryEventType_DELETED {
				out = append(out, ev.Record)
			}
		}
	}
	if status.Code(err) == codes.Unimplemented {
		return nil, noHistory(fmt.Sprintf("the %s builder keeps no build history (the Docker engine's BuildKit before engine 23): only buildscope's own records can be listed", b.Name()))
	}
	return nil, fmt.Errorf("reading the build history of the %s builder: %w", b.Name(), err)
}

func created(r *controlapi.BuildHistoryRecord) time.Time {
	if r.CreatedAt == nil {
		return time.Time{}
	}
	return r.CreatedAt.AsTime()
}

func builderRecord(r *controlapi.BuildHistoryRecord) Record {
	br := Record{Ref: r.Ref, By: "other", Frontend: r.Frontend, Target: r.FrontendAttrs["target"], Filename: r.FrontendAttrs["filename"],
		VerticesCached: int(r.NumCachedSteps), VerticesTotal: int(r.NumTotalSteps)}
	if strings.HasPrefix(r.Ref, "buildscope-") {
		br.By = "buildscope"
	}
	if r.CreatedAt != nil {
		br.Started = r.CreatedAt.AsTime()
	}
	switch {
	case r.CompletedAt == nil:
		br.Status = "running"
	case r.Error != nil && r.Error.Code == int32(codes.Canceled):
		br.Status, br.Completed = "canceled", r.CompletedAt.AsTime()
	case r.Error != nil:
		br.Status, br.Error, br.Completed = "error", r.Error.Message, r.CompletedAt.AsTime()
	default:
		br.Status, br.Completed = "ok", r.CompletedAt.AsTime()
	}
	br.Provenance = provenanceOf(r) != nil
	return br
}

func mapValues[K comparable, V any](m map[K]V) []V {
	out := make([]V, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// Table is the builder's records as `history ls --builder` prints
// them; outside text is made safe for the terminal.
func Table(recs []Record) string {
	var w strings.Builder
	tw := tabwriter.NewWriter(&w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tBY\tSTARTED\tSTATUS\tDURATION\tCACHED\tTARGET\tDOCKERFILE\tPROVENANCE")
	for _, r := range recs {
		dur := "-"
		if !r.Completed.IsZero() {
			dur = r.Completed.Sub(r.Started).Round(10 * time.Millisecond).String()
		}
		prov := "yes"
		if !r.Provenance {
			prov = "no (not explainable: history show says why)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", model.Printable(r.Ref), r.By, r.Started.Local().Format("2006-01-02 15:04:05"),
			r.Status, dur, r.CachedText(), model.Printable(r.Target), model.Printable(r.Filename), prov)
	}
	tw.Flush()
	if slices.ContainsFunc(recs, func(r Record) bool { return r.Steps == nil }) {
		w.WriteString(VerticesNote + "\n")
	}
	return w.String()
}

// VerticesNote says what a count marked "vtx" is.
const VerticesNote = "vtx: BuildKit's count of vertices (steps, and each FROM's metadata load, context transfer…), not steps; buildscope counts steps once it holds the build's record (history import REF)"

// CachedText is the record's CACHED column: its steps cached of total
// when known, else BuildKit's vertices, marked "vtx".
func (r Record) CachedText() string {
	if r.Steps != nil {
		return fmt.Sprintf("%d/%d", r.Steps.StepsCached, r.Steps.StepsTotal)
	}
	return fmt.Sprintf("%d/%d vtx", r.VerticesCached, r.VerticesTotal)
}

// FillSteps gives each record that buildscope holds a record of (its
// own build, ref "buildscope-ID", or an imported one, ID the ref) that
// record's step counts, the one definition the build's header, why
// and history use.
func FillSteps(recs []Record, held []*model.Build) {
	byID := make(map[string]*model.Build, len(held))
	for _, b := range held {
		byID[b.ID] = b
	}
	for i, r := range recs {
		id, _ := strings.CutPrefix(r.Ref, "buildscope-")
		if b := byID[id]; b != nil && r.Status != model.StatusRunning {
			c := b.Cache
			recs[i].Steps = &c
		}
	}
}
