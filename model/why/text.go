package why

import (
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// Text is the explanation of build cur as `buildscope why` prints it:
// root causes with what they cost, the steps they cascaded to, changed
// hits, advice. Step names are made safe for a terminal.
func (ex *Explanation) Text(cur *model.Build) string {
	var w strings.Builder
	prev := ex.Previous
	if prev == "" {
		prev = "none"
	}
	fmt.Fprintf(&w, "build %s against %s: %d/%d steps cached, %d ran (from %s)\n", cur.ID, prev, cur.Cache.StepsCached, cur.Cache.StepsTotal, len(ex.Misses), ex.Source)
	if ex.SourceNote != "" {
		fmt.Fprintf(&w, "(%s)\n", model.Printable(ex.SourceNote))
	}
	header := ""
	for _, m := range ex.Misses {
		h := "root causes"
		switch missGroup(m) {
		case groupCascade:
			h = "then"
		case groupKeyOnly:
			h = "evaluated for their cache keys only (BuildKit counts them as not cached)"
		}
		if h != header {
			fmt.Fprintf(&w, "%s:\n", h)
			header = h
		}
		cost := ""
		if m.Root && m.CostSeconds > 0 {
			cost = fmt.Sprintf(" (cost %.2fs)", m.CostSeconds)
		}
		fmt.Fprintf(&w, "  line %-4d %s\n            %s%s%s\n", m.Line, model.Printable(m.Step), m.Reason, model.Printable(m.Detail.Text(m.Reason)), cost)
	}
	if len(ex.ChangedHits) > 0 {
		w.WriteString("changed, but answered from an older cache entry:\n")
		for _, h := range ex.ChangedHits {
			fmt.Fprintf(&w, "  line %-4d %s\n            %s%s (its misses cost %.2fs)\n", h.Line, model.Printable(h.Step), h.Reason, model.Printable(h.Detail.Text(h.Reason)), h.CostSeconds)
		}
	}
	for _, a := range ex.Advice {
		fmt.Fprintf(&w, "advice: %s\n", model.Printable(a))
	}
	return w.String()
}
