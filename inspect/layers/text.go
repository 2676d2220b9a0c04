package layers

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/buildscope/buildscope/model"
)

// WriteText prints the report as `buildscope inspect` does: the layer
// table, the totals and the top inefficiencies. It reads the same data
// --json prints.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "image %s (%s), %d layers\n\n", model.Printable(r.Image), shortDigest(r.Digest), len(r.Layers))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LAYER\tDIGEST\tSIZE\tCOMPRESSED\tADDED\tMODIFIED\tREMOVED\tCREATED BY")
	for _, l := range r.Layers {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", l.Index, shortDigest(l.Digest),
			size(l.SizeBytes), model.CompressedSize(l.CompressedBytes), l.Added, l.Modified, l.Removed, createdBy(l.CreatedBy, 70))
	}
	tw.Flush()
	fmt.Fprintf(w, "\ntotal size:   %s (compressed %s)\n", size(r.SizeBytes), model.CompressedSize(r.CompressedBytes))
	fmt.Fprintf(w, "efficiency:   %.2f %%\n", r.Efficiency*100)
	_, err := fmt.Fprintf(w, "wasted bytes: %s (%.2f %% of the bytes above the base layer)\n", size(r.WastedBytes), r.UserWastedPercent*100)
	if len(r.Inefficiencies) > 0 {
		fmt.Fprintln(w, "\ninefficient paths (copies the final image does not show):")
		err = writeWaste(w, r.Inefficiencies, 10)
	}
	return err
}

// WriteCIAnalysis prints the figures CI rules judge and the inefficient
// files, as dive --ci does before its evaluation.
func (r *Report) WriteCIAnalysis(w io.Writer) error {
	fmt.Fprintf(w, "Analysis:\n  %-18s %.2f %%\n  %-18s %d bytes (%s)\n  %-18s %.2f %%\n\n",
		"efficiency:", r.Efficiency*100, "wastedBytes:", r.WastedBytes, size(r.WastedBytes),
		"userWastedPercent:", r.UserWastedPercent*100)
	if len(r.Inefficiencies) == 0 {
		_, err := fmt.Fprint(w, "Inefficient Files: (None)\n\n")
		return err
	}
	fmt.Fprintln(w, "Inefficient Files:")
	if err := writeWaste(w, r.Inefficiencies, 25); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w)
	return err
}

// writeWaste prints the first max paths with wasted copies.
func writeWaste(w io.Writer, list []Waste, max int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  COUNT\tWASTED\tPATH")
	for i, in := range list {
		if i == max {
			break
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\n", in.Count, size(in.WastedBytes), model.Printable(in.Path))
	}
	err := tw.Flush()
	if len(list) > max {
		_, err = fmt.Fprintf(w, "  … and %d more paths (--json lists them all)\n", len(list)-max)
	}
	return err
}

// createdBy shortens an instruction for one table cell.
func createdBy(s string, max int) string {
	s = strings.TrimPrefix(s, "/bin/sh -c #(nop) ")
	s = model.Printable(strings.Join(strings.Fields(s), " "))
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// size formats bytes as docker does (decimal units).
func size(n int64) string { return model.HumanSize(n) }

// shortDigest shortens "sha256:abcdef…" to its first 12 hex digits.
func shortDigest(d string) string { return model.ShortDigest(d) }
