package model

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
)

// HumanSize formats bytes as docker does (decimal units, 3 digits): the
// one size format of every output.
func HumanSize(n int64) string { return units.HumanSizeWithPrecision(float64(n), 3) }

// Text is a build record as `history show` prints it without a terminal:
// its stages and steps (C cached, E failed), line, duration, layer size.
func (b *Build) Text() string {
	var w strings.Builder
	fmt.Fprintf(&w, "build %s  %s  %s on %s\n", b.ID, b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), Printable(b.Builder))
	fmt.Fprintf(&w, "  dockerfile %s\n  context    %s\n", Printable(b.Dockerfile), Printable(b.Context))
	if b.Error != "" {
		fmt.Fprintf(&w, "  error      %s\n", Printable(b.Error))
	}
	for _, s := range b.Stages {
		fmt.Fprintf(&w, "stage %s (from %s)", Printable(s.Name), Printable(s.Base))
		if len(s.DependsOn) > 0 {
			fmt.Fprintf(&w, " depends on %v", s.DependsOn)
		}
		w.WriteString("\n")
		for _, st := range s.Steps {
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
			fmt.Fprintf(&w, "  %s%4d  %-8s %8s  %s\n", mark, st.Line, st.Duration().Round(time.Millisecond), size, Printable(st.Instruction))
		}
	}
	fmt.Fprintf(&w, "cache: %d/%d steps cached\n", b.Cache.StepsCached, b.Cache.StepsTotal)
	if b.Image != nil {
		fmt.Fprintf(&w, "image %s, %s in %d layers\n", b.Image.Digest, HumanSize(b.Image.SizeBytes), len(b.Image.Layers))
	}
	return w.String()
}

// HistoryTable is the builds as `history ls` prints them.
func HistoryTable(builds []*Build) string {
	var w strings.Builder
	tw := tabwriter.NewWriter(&w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTARTED\tSTATUS\tDURATION\tCACHED\tBUILDER\tTARGET\tDOCKERFILE")
	for _, b := range builds {
		target := b.Target
		if target == "" {
			target = "(last)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", b.ID, b.Started.Local().Format("2006-01-02 15:04:05"),
			b.Status, b.Completed.Sub(b.Started).Round(10*time.Millisecond), b.Cache.StepsCached, b.Cache.StepsTotal,
			Printable(b.Builder), Printable(target), Printable(b.Dockerfile))
	}
	tw.Flush()
	return w.String()
}
