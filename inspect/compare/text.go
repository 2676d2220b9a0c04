package compare

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
)

// Text is the comparison as `buildscope compare` prints it.
func (r *Result) Text() string {
	var w strings.Builder
	r.writeText(&w)
	return w.String()
}

// writeText writes the comparison as Text, one line at a time: the file
// lines of a comparison are as many as the paths that differ, and are
// not held a second time as one string.
func (r *Result) writeText(w io.Writer) {
	im := r.Image
	delta := im.Size[1] - im.Size[0]
	fmt.Fprintf(w, "A %s\nB %s\n", model.Printable(r.A), model.Printable(r.B))
	fmt.Fprintf(w, "size: %s → %s (%s%s); compressed %s → %s\n", model.HumanSize(im.Size[0]), model.HumanSize(im.Size[1]),
		sign(delta), model.HumanSize(abs(delta)), model.CompressedSize(im.Compressed[0]), model.CompressedSize(im.Compressed[1]))
	nb := 0
	for _, l := range im.Layers {
		if l.Side != "a" {
			nb++
		}
	}
	fmt.Fprintf(w, "layers: %d of B's %d shared with A\n", im.SharedLayers, nb)
	if im.Same {
		io.WriteString(w, "same content: the files and the configuration are equal (timestamps and layer packaging aside)\n")
	}
	if b := r.Build; b != nil {
		fmt.Fprintf(w, "build: %.2fs → %.2fs, cached %d/%d → %d/%d\n", b.Wall[0], b.Wall[1],
			b.Cache[0].StepsCached, b.Cache[0].StepsTotal, b.Cache[1].StepsCached, b.Cache[1].StepsTotal)
		for _, s := range b.Steps {
			line := stepLine(s)
			if line != "" {
				io.WriteString(w, line)
			}
		}
	}
	for _, c := range im.Config {
		if ListFields[c.Field] { // lists: what left and what came
			fmt.Fprintf(w, "config %s:%s\n", c.Field, lineDiff(c.A, c.B))
			continue
		}
		fmt.Fprintf(w, "config %s: %q → %q\n", c.Field, model.Printable(c.A), model.Printable(c.B))
	}
	if len(im.Dirs) > 0 {
		io.WriteString(w, "files by directory:\n")
		for _, d := range im.Dirs {
			fmt.Fprintf(w, "  %-24s %d added, %d removed, %d changed, %s%s\n", model.Printable(d.Path), d.Added, d.Removed, d.Changed, sign(d.Delta), model.HumanSize(abs(d.Delta)))
		}
	}
	for _, c := range im.Files {
		by := c.Step[1]
		if c.Kind == "D" {
			by = c.Step[0]
		}
		fmt.Fprintf(w, "%s\t%s\n", model.Printable(c.String()), model.Printable(shortStep(by)))
		for _, l := range strings.SplitAfter(c.Diff, "\n") {
			if l != "" {
				io.WriteString(w, model.PrintableTextLine(strings.TrimSuffix(l, "\n"))+"\n") // the file's text: patch applies it
			}
		}
	}
}

// stepLine is a step that differs between the builds: present on one
// side only, or ran on one side and hit on the other.
func stepLine(s compare.StepComparison) string {
	state := func(i int) string {
		switch {
		case !s.Present[i]:
			return "absent"
		case s.Cached[i]:
			return "cached"
		}
		return fmt.Sprintf("ran %.2fs", s.Seconds[i])
	}
	if s.Present == [2]bool{true, true} && s.Cached[0] == s.Cached[1] && s.Cached[0] {
		return ""
	}
	why := ""
	if s.Why != nil {
		why = "  " + s.Why.Reason + s.Why.Detail.Text(s.Why.Reason)
	}
	return fmt.Sprintf("  %-10s %-12s → %-12s %s%s\n", model.Printable(s.Stage), state(0), state(1), model.Printable(s.Instruction), model.Printable(why))
}

func shortStep(s string) string {
	if len(s) > 60 {
		return s[:59] + "…"
	}
	return s
}

func sign(n int64) string {
	if n < 0 {
		return "-"
	}
	return "+"
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// lineDiff lists the lines only a has (-) and only b has (+): the
// entries of a list field, escaped already (joinLines).
func lineDiff(a, b string) string {
	var out strings.Builder
	onlyA, onlyB := LinesOnly(a, b)
	for _, l := range onlyA {
		out.WriteString("\n  - " + l)
	}
	for _, l := range onlyB {
		out.WriteString("\n  + " + l)
	}
	return out.String()
}

// LinesOnly returns the non-empty lines of a that b lacks and those of b
// that a lacks, each in its order: how a config list (Env, Labels, the
// history) changed between two images.
func LinesOnly(a, b string) (onlyA, onlyB []string) {
	set := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := set(a), set(b)
	for _, l := range strings.Split(a, "\n") {
		if l != "" && !ib[l] {
			onlyA = append(onlyA, l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if l != "" && !ia[l] {
			onlyB = append(onlyB, l)
		}
	}
	return onlyA, onlyB
}

// Write prints r as `buildscope compare` does: WriteJSON with asJSON,
// else Text.
func (r *Result) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		return r.WriteJSON(w)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	r.writeText(bw)
	return bw.Flush()
}
