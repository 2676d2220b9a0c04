package model

import (
	"sort"
	"strings"
	"time"
)

// Where a HistoryRow comes from.
const (
	FromBuildscope = "buildscope" // buildscope's own history (its builds, imported ones)
	FromBuilder    = "builder"    // the builder's own history
)

// HistoryRow is one line of the history list (the home screen): a build
// of buildscope's history or of the builder's own, running or finished.
type HistoryRow struct {
	// ID opens it: buildscope's build ID, or BuildKit's ref for a build
	// of the builder's history.
	ID string `json:"id"`
	// From is FromBuildscope or FromBuilder.
	From string `json:"from"`
	// By is who made it: "buildscope", or "other" (buildx, buildctl, CI).
	By        string    `json:"by"`
	Status    string    `json:"status"`
	Started   time.Time `json:"started"`
	Completed time.Time `json:"completed,omitempty"`
	Cached    int       `json:"steps_cached"`
	Total     int       `json:"steps_total"`
	// Vertices says Cached and Total are BuildKit's counts of vertices
	// (a build of the builder's history buildscope holds no record of),
	// not steps.
	Vertices   bool   `json:"vertices,omitempty"`
	Target     string `json:"target,omitempty"`
	Dockerfile string `json:"dockerfile,omitempty"`
}

// Running says whether the build is still running.
func (e HistoryRow) Running() bool { return e.Status == StatusRunning }

// Duration is how long it ran, or has run by now for a running build.
func (e HistoryRow) Duration(now time.Time) time.Duration {
	if e.Completed.IsZero() {
		return now.Sub(e.Started)
	}
	return e.Completed.Sub(e.Started)
}

// Matches says whether the entry matches a filter: every word of it
// appears, case-insensitively, in its ID, status, maker, target or
// Dockerfile.
func (e HistoryRow) Matches(filter string) bool {
	hay := strings.ToLower(strings.Join([]string{e.ID, e.Status, e.By, e.From, e.Target, e.Dockerfile}, " "))
	for _, w := range strings.Fields(strings.ToLower(filter)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// MergeHistory is buildscope's builds and the builder's records as one
// list: running builds first, then newest first. A builder record of a
// build buildscope recorded itself (ref "buildscope-ID") is left out:
// buildscope's record says more. An internal build (Build.Internal) is
// in neither: own may hold them so that their builder records are known.
func MergeHistory(own []*Build, builder []HistoryRow) []HistoryRow {
	out := make([]HistoryRow, 0, len(own)+len(builder))
	mine := map[string]bool{}
	for _, b := range own {
		by := FromBuildscope
		if b.Origin != nil {
			by = b.Origin.By
		}
		mine[b.ID] = true
		if b.Internal != "" {
			continue // buildscope's own, not the user's: neither row shows
		}
		out = append(out, HistoryRow{ID: b.ID, From: FromBuildscope, By: by, Status: b.Status, Started: b.Started, Completed: b.Completed,
			Cached: b.Cache.StepsCached, Total: b.Cache.StepsTotal, Target: b.Target, Dockerfile: b.Dockerfile})
	}
	for _, e := range builder {
		if id, ok := strings.CutPrefix(e.ID, "buildscope-"); (ok && mine[id]) || mine[e.ID] {
			continue
		}
		e.From = FromBuilder
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Running() != out[j].Running() {
			return out[i].Running()
		}
		return out[i].Started.After(out[j].Started)
	})
	return out
}
