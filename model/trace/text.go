package trace

import (
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// Text is the timeline as `buildscope trace` prints it: wall time and
// parallelism, the time split by kind, and the critical path with what a
// hit on each step would save.
func (tl *Timeline) Text() string {
	var w strings.Builder
	fmt.Fprintf(&w, "build %s: %.2fs wall, %.2f steps running at once on average\n", tl.Build, tl.Wall, tl.Parallelism)
	var parts []string
	for _, k := range []string{KindResolve, KindPull, KindContext, KindRun, KindCopy, KindExport, KindCache, KindOther, KindIdle} {
		if v := tl.Split[k]; v > 0 {
			parts = append(parts, fmt.Sprintf("%s %.2fs", k, v))
		}
	}
	fmt.Fprintf(&w, "time: %s\n", strings.Join(parts, ", "))
	w.WriteString("critical path:\n")
	byDigest := make(map[string]*Span, len(tl.Spans))
	for i := range tl.Spans {
		byDigest[tl.Spans[i].Digest] = &tl.Spans[i]
	}
	for _, d := range tl.Critical {
		s := byDigest[d]
		save := ""
		if s.Saving >= 0.005 {
			save = fmt.Sprintf("  a hit would save %.2fs", s.Saving)
		}
		fmt.Fprintf(&w, "  %7.2fs  %s%s\n", s.Seconds(), model.Printable(s.Name), save)
	}
	return w.String()
}

// Summary is the critical path in brief: its Dockerfile steps and the
// longest one.
func (tl *Timeline) Summary() *model.CriticalSummary {
	byDigest := make(map[string]*Span, len(tl.Spans))
	for i := range tl.Spans {
		byDigest[tl.Spans[i].Digest] = &tl.Spans[i]
	}
	cs := &model.CriticalSummary{}
	for _, d := range tl.Critical {
		s := byDigest[d]
		if !isStep(*s) {
			continue
		}
		cs.Steps++
		if secs := round3(s.Seconds()); secs > cs.LongestSeconds || cs.Longest == "" {
			cs.Longest, cs.LongestSeconds = s.Name, secs
		}
	}
	return cs
}
