package stagesize

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// WriteText prints a stage report as `buildscope stages` does: the table
// of stages with a bar each, the single-stage equivalent and what the final
// image left behind; then the same for the compared Dockerfile, if any,
// and the two final images side by side.
func WriteText(w io.Writer, rep *compare.StageReport) error {
	writeTable(w, rep)
	if rep.Compare == nil {
		return nil
	}
	fmt.Fprintf(w, "\ncompared with %s:\n", rep.Compare.Dockerfile)
	writeTable(w, rep.Compare)
	a, b := rep.Final.SizeBytes, rep.Compare.Final.SizeBytes
	fmt.Fprintf(w, "\nfinal images: %s (%s) vs %s (%s)", size(a), rep.Final.Name, size(b), rep.Compare.Final.Name)
	if b > 0 {
		fmt.Fprintf(w, ": %.1f%% of it", 100*float64(a)/float64(b))
	}
	_, err := fmt.Fprintln(w)
	return err
}

func writeTable(w io.Writer, rep *compare.StageReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tSIZE\tCOMPRESSED\tLAYERS\t")
	var largest int64
	for _, s := range rep.Stages {
		largest = max(largest, s.SizeBytes)
	}
	for _, s := range rep.Stages {
		mark := ""
		if s.Final {
			mark = "final"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Name, size(s.SizeBytes), model.CompressedSize(s.CompressedBytes), s.Layers, mark)
	}
	tw.Flush()
	for _, s := range rep.Stages {
		n := 1
		if largest > 0 {
			n = max(1, int(40*s.SizeBytes/largest))
		}
		fmt.Fprintf(w, "  %-40s %s %s\n", strings.Repeat("█", n), s.Name, size(s.SizeBytes))
	}
	if ss := rep.SingleStage; ss != nil {
		fmt.Fprintf(w, "single-stage equivalent (shipping %s): %s; final %s is %.1f%% of it, %s saved\n",
			ss.Stage, size(ss.SizeBytes), size(ss.FinalBytes), 100*ss.Ratio, size(ss.SavedBytes))
	}
	if len(rep.LeftBehind) > 0 {
		fmt.Fprintf(w, "left behind by %s:\n", rep.Final.Name)
		for _, l := range rep.LeftBehind {
			fmt.Fprintf(w, "  %-30s %10s  (in %s)\n", model.Printable(l.Path), size(l.SizeBytes), l.Stage)
		}
	}
}

// size formats bytes as docker does (decimal units).
func size(n int64) string { return model.HumanSize(n) }
