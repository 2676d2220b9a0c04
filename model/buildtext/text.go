package buildtext

import (
	"fmt"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/advice"
	"github.com/buildscope/buildscope/model/compare"
)

// Text is build record b as `history show` prints it without a terminal:
// its stages and steps (C cached, E failed), line, duration, layer size,
// the warnings of BuildKit's checks under their stage in line order with
// its steps, and, from history (earlier builds, any order; nil: none),
// each step's duration in the last builds of the same context,
// Dockerfile and target.
func Text(b *model.Build, history []*model.Build) string {
	trend := compare.StepTrends(b, history, 5)
	var w strings.Builder
	fmt.Fprintf(&w, "build %s  %s  %s on %s\n", b.ID, b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), model.Printable(b.Builder))
	fmt.Fprintf(&w, "  dockerfile %s\n  context    %s\n", model.Printable(b.Dockerfile), model.Printable(b.Context))
	if b.Error != "" {
		fmt.Fprintf(&w, "  error      %s\n", model.Printable(b.Error))
	}
	if b.Debug != "" {
		fmt.Fprintf(&w, "  debug      %s\n", model.Printable(b.Debug))
	}
	w.WriteString(b.Origin.Text())
	shown := make([]bool, len(b.Warnings)) // printed beside their step
	for si, s := range b.Stages {
		fmt.Fprintf(&w, "stage %s (from %s)", model.Printable(s.Name), model.Printable(s.Base))
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
				size = model.HumanSize(*st.SizeBytes)
			}
			fmt.Fprintf(&w, "  %s%4d  %-8s %8s  %s%s\n", mark, st.Line, st.Duration().Round(time.Millisecond), size, model.Printable(st.Instruction), trend[st.Digest])
			for _, cm := range b.CacheMounts {
				if cm.Stage == s.Name && cm.Line == st.Line {
					fmt.Fprintf(&w, "        cache mount %s (id %s, %s): %s\n", model.Printable(cm.Target), model.Printable(cm.ID), cm.Sharing, cm.State())
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
	w.WriteString(advice.Text(b.Advice))
	fmt.Fprintf(&w, "cache: %d/%d steps cached\n", b.Cache.StepsCached, b.Cache.StepsTotal)
	if b.Image != nil {
		fmt.Fprintf(&w, "image %s, %s in %d layers\n", b.Image.Digest, model.HumanSize(b.Image.SizeBytes), len(b.Image.Layers))
	}
	return w.String()
}

// warningsOf writes, indented under stage si, the warnings not yet shown
// whose line lies in the stage (from its FROM to the next stage's) and is
// at most upTo, in the order BuildKit gave.
// Without the stages' lines (an older record) nothing is written here:
// the warnings are listed after the stages.
func warningsOf(w *strings.Builder, b *model.Build, shown []bool, si, upTo int) {
	for i, wn := range b.Warnings {
		if shown[i] || !b.Stages[si].Holds(wn.Line) || wn.Line > upTo {
			continue
		}
		shown[i] = true
		w.WriteString("        " + warningText(wn) + "\n")
	}
}

// warningText is the warning as history show prints it: "warning: line N:
// Rule: description (url)".
func warningText(wn model.Warning) string {
	at := ""
	if wn.Line > 0 {
		at = fmt.Sprintf("line %d: ", wn.Line)
	}
	url := ""
	if wn.URL != "" {
		url = " (" + model.Printable(wn.URL) + ")"
	}
	return "warning: " + at + model.Printable(wn.Short) + url
}

// HistoryTable is the builds as `history ls` prints them.
func HistoryTable(builds []*model.Build) string {
	var w strings.Builder
	tw := tabwriter.NewWriter(&w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tSTATUS\tDURATION\tCACHED\tBUILDER\tTARGET\tDOCKERFILE\tCRITICAL PATH")
	for _, b := range builds {
		target := b.Target
		if target == "" {
			target = defaultTarget(b)
		}
		crit := "-"
		if c := b.Critical; c != nil && c.Longest != "" {
			crit = fmt.Sprintf("%d steps, longest %.2fs %s", c.Steps, c.LongestSeconds, cut(model.Printable(c.Longest), 40))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\n", b.ID, b.Started.Local().Format("2006-01-02 15:04:05"),
			b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), b.Cache.StepsCached, b.Cache.StepsTotal,
			model.Printable(b.Builder), model.Printable(target), model.Printable(b.Dockerfile), crit)
	}
	tw.Flush()
	return w.String()
}

// defaultTarget names the stage a build without --target built: the
// Dockerfile's last, as recorded; "-" when the record holds no stage.
func defaultTarget(b *model.Build) string {
	name, at := "-", -1
	for _, s := range b.Stages {
		if s.Index > at {
			name, at = s.Name, s.Index
		}
	}
	return name
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// ChecksLine says that BuildKit's checks did not run on b's builder, and
// why; "" when they ran.
func ChecksLine(b *model.Build) string {
	if b.ChecksUnavailable == "" {
		return ""
	}
	return "checks not available on this builder: " + model.Printable(b.ChecksUnavailable)
}

// SummaryLine is the one line printed after build b succeeded.
func SummaryLine(b *model.Build) string {
	s := fmt.Sprintf("build %s ok in %s: %d/%d steps cached", b.ID, b.Completed.Sub(b.Started).Round(1e7), b.Cache.StepsCached, b.Cache.StepsTotal)
	if im := b.Image; im != nil {
		size := model.HumanSize(im.SizeBytes)
		if im.SizeBytes == 0 && im.CompressedBytes > 0 { // its content could not be measured
			size = "size unknown, " + model.HumanSize(im.CompressedBytes) + " compressed"
		}
		s += fmt.Sprintf(", image %s (%s)", model.ShortDigest(im.Digest), size)
	}
	return s + "; open it as build:" + b.ID
}

// Done is what `build` prints on stderr once build b succeeded: why
// BuildKit's checks did not run, when they did not, then its summary line.
func Done(b *model.Build) string {
	s := SummaryLine(b) + "\n"
	if l := ChecksLine(b); l != "" {
		s = "buildscope: " + l + "\n" + s
	}
	return s
}
