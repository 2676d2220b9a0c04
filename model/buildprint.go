package model

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
)

// HumanSize formats bytes as docker does (decimal units, 3 digits): the
// one size format of every output.
func HumanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// Count is n and noun, in the plural unless n is 1: "1 record", "3 records".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Text is build record b as `history show` prints it without a terminal:
// its stages and steps (C cached, E failed), line, duration, layer size,
// the warnings of BuildKit's checks under their stage in line order with
// its steps, and, from history (earlier builds, any order; nil: none),
// each step's duration in the last builds of the same context,
// Dockerfile and target.
func Text(b *Build, history []*Build) string {
	trend := StepTrends(b, history, 5)
	var w strings.Builder
	fmt.Fprintf(&w, "build %s  %s  %s on %s\n", b.ID, b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), Printable(b.Builder))
	fmt.Fprintf(&w, "  dockerfile %s\n  context    %s\n", Printable(b.Dockerfile), Printable(b.Context))
	if b.Error != "" {
		fmt.Fprintf(&w, "  error      %s\n", Printable(b.Error))
	}
	w.WriteString(b.Origin.Text())
	shown := make([]bool, len(b.Warnings)) // printed beside their step
	for si, s := range b.Stages {
		fmt.Fprintf(&w, "stage %s (from %s)", Printable(s.Name), Printable(s.Base))
		if len(s.DependsOn) > 0 {
			fmt.Fprintf(&w, " depends on %v", s.DependsOn)
		}
		w.WriteString("\n")
		for _, st := range s.Steps {
			warningsOf(&w, b, shown, si, st.Line-1)
			mark := "   "
			if st.Cached {
				mark = "C  "
			}
			if st.Error != "" {
				mark = "E  "
			}
			size := ""
			if st.SizeBytes != nil {
				size = HumanSize(*st.SizeBytes)
			}
			fmt.Fprintf(&w, "  %s%4d  %-8s %8s  %s%s\n", mark, st.Line, st.Duration().Round(time.Millisecond), size, Printable(st.Instruction), trend[st.Digest])
			for _, cm := range b.CacheMounts {
				if cm.Stage == s.Name && cm.Line == st.Line {
					fmt.Fprintf(&w, "        cache mount %s (id %s, %s): %s\n", Printable(cm.Target), Printable(cm.ID), cm.Sharing, cm.State())
				}
			}
			warningsOf(&w, b, shown, si, st.Line)
		}
		warningsOf(&w, b, shown, si, math.MaxInt)
	}
	for i, wn := range b.Warnings { // those of no step's line: FROM, ARG, the file
		if !shown[i] {
			w.WriteString(warningText(wn) + "\n")
		}
	}
	if l := ChecksLine(b); l != "" {
		w.WriteString(l + "\n")
	}
	w.WriteString(AdviceText(b.Advice))
	fmt.Fprintf(&w, "cache: %d/%d steps cached\n", b.Cache.StepsCached, b.Cache.StepsTotal)
	if b.Image != nil {
		fmt.Fprintf(&w, "image %s, %s in %d layers\n", b.Image.Digest, HumanSize(b.Image.SizeBytes), len(b.Image.Layers))
	}
	return w.String()
}

// warningsOf writes, indented under stage si, the warnings not yet shown
// whose line lies in the stage (from its FROM to the next stage's) and is
// at most upTo, in the order BuildKit gave.
// Without the stages' lines (an older record) nothing is written here:
// the warnings are listed after the stages.
func warningsOf(w *strings.Builder, b *Build, shown []bool, si, upTo int) {
	for i, wn := range b.Warnings {
		if shown[i] || !b.Stages[si].Holds(wn.Line) || wn.Line > upTo {
			continue
		}
		shown[i] = true
		w.WriteString("        " + warningText(wn) + "\n")
	}
}

// Holds says line lies in the stage, from its FROM to the next stage's;
// false when the record does not know the stage's lines.
func (s Stage) Holds(line int) bool {
	return s.Line > 0 && line >= s.Line && (s.EndLine == 0 || line <= s.EndLine)
}

// warningText is the warning as history show prints it: "warning: line N:
// Rule: description (url)".
func warningText(wn Warning) string {
	at := ""
	if wn.Line > 0 {
		at = fmt.Sprintf("line %d: ", wn.Line)
	}
	url := ""
	if wn.URL != "" {
		url = " (" + Printable(wn.URL) + ")"
	}
	return "warning: " + at + Printable(wn.Short) + url
}

// HistoryTable is the builds as `history ls` prints them.
func HistoryTable(builds []*Build) string {
	var w strings.Builder
	tw := tabwriter.NewWriter(&w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tSTATUS\tDURATION\tCACHED\tBUILDER\tTARGET\tDOCKERFILE\tCRITICAL PATH")
	for _, b := range builds {
		target := b.Target
		if target == "" {
			target = "(last)"
		}
		crit := "-"
		if c := b.Critical; c != nil && c.Longest != "" {
			crit = fmt.Sprintf("%d steps, longest %.2fs %s", c.Steps, c.LongestSeconds, cut(Printable(c.Longest), 40))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\n", b.ID, b.Started.Local().Format("2006-01-02 15:04:05"),
			b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), b.Cache.StepsCached, b.Cache.StepsTotal,
			Printable(b.Builder), Printable(target), Printable(b.Dockerfile), crit)
	}
	tw.Flush()
	return w.String()
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// StepTrends gives each step of b that ran (by digest) its durations in
// the last n earlier builds of the same context, Dockerfile and target,
// oldest first, as "  (was 1.20s 1.31s –)" where "–" is a cache hit and
// nothing shows for a step those builds did not have.
func StepTrends(b *Build, history []*Build, n int) map[string]string {
	out := map[string]string{}
	var prev []*Build
	for cur := b; len(prev) < n; {
		p := PreviousBuild(cur, history)
		if p == nil {
			break
		}
		prev = append([]*Build{p}, prev...)
		cur = p
	}
	if len(prev) == 0 {
		return out
	}
	for _, s := range b.Stages {
		for _, st := range s.Steps {
			var parts []string
			seen := false
			for _, p := range prev {
				ps := stageSteps(p, s.Name)
				var m *Step
				for _, c := range ps {
					if sameStep(c, &st) {
						m = c
					}
				}
				switch {
				case m == nil:
					parts = append(parts, " ")
				case m.Cached:
					parts, seen = append(parts, "–"), true
				default:
					parts, seen = append(parts, fmt.Sprintf("%.2fs", m.Duration().Seconds())), true
				}
			}
			if seen {
				out[st.Digest] = "  (was " + strings.Join(parts, " ") + ")"
			}
		}
	}
	return out
}

// ShortDigest is a digest's first 12 hex digits ("sha256:" dropped), as
// docker shows image IDs.
func ShortDigest(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	if len(d) > 12 {
		d = d[:12]
	}
	return d
}

// ChecksLine says that BuildKit's checks did not run on b's builder, and
// why; "" when they ran.
func ChecksLine(b *Build) string {
	if b.ChecksUnavailable == "" {
		return ""
	}
	return "checks not available on this builder: " + Printable(b.ChecksUnavailable)
}

// SummaryLine is the one line printed after build b succeeded.
func SummaryLine(b *Build) string {
	s := fmt.Sprintf("build %s ok in %s: %d/%d steps cached", b.ID, b.Completed.Sub(b.Started).Round(1e7), b.Cache.StepsCached, b.Cache.StepsTotal)
	if b.Image != nil {
		s += fmt.Sprintf(", image %s (%s)", ShortDigest(b.Image.Digest), HumanSize(b.Image.SizeBytes))
	}
	return s + "; open it as build:" + b.ID
}
