package failedstep

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// maxWrote is how many changed paths are listed; the rest are counted.
const maxWrote = 8

// WroteLines are what the failed step selected in v wrote, to show beside
// its error: one line per changed path (A/C/D, path, size), or what is
// unknown about it; none where there is nothing to say (a step that did
// not fail, a build the UI does not hold).
func (s *State) WroteLines(v View) []string {
	switch {
	case !v.StepFailed:
		return nil
	case s.Here(v) && s.Edit.Last != nil:
		return s.Edit.Lines() // the edited re-run; x still opens the failed step's own state
	case s.Here(v) && s.Held.WroteUnknown != "":
		return []string{"what the step wrote is unknown: " + s.Held.WroteUnknown}
	case s.Here(v) && len(s.Held.Wrote) == 0:
		return []string{"the step wrote no file (vs its input)"}
	case s.Here(v):
		out := []string{fmt.Sprintf("the step wrote (%d paths, vs its input):", len(s.Held.Wrote))}
		for i, c := range s.Held.Wrote {
			if i == maxWrote {
				more := fmt.Sprintf("  … %d more", len(s.Held.Wrote)-maxWrote)
				if ok, _ := s.Offer(v); ok {
					more += " (x opens a shell to look)"
				}
				return append(out, more)
			}
			size := c.Size[1]
			if c.Kind == "D" {
				size = c.Size[0]
			}
			out = append(out, fmt.Sprintf("  %s %s  %s", c.Kind, model.Printable(c.Path), model.HumanSize(size)))
		}
		return out
	case v.Replay:
		return []string{"what the step wrote is unknown: a recorded build keeps no step's files (`buildscope debug PATH` lists them)"}
	case !v.Holding:
		return nil // a build this UI does not hold (attach, bake): nothing to say beside its error
	case !v.Done:
		return []string{"what the step wrote: reading it from the builder…"}
	}
	return []string{"what the step wrote is unknown: the builder did not hold the failed step"}
}

// Columns splits width between the error and the lines beside it:
// wroteW is 0 (errW the whole width) when there are none.
func Columns(width int, wrote []string) (errW, wroteW int) {
	if len(wrote) == 0 {
		return width, 0
	}
	for _, l := range wrote {
		wroteW = max(wroteW, ansi.StringWidth(l))
	}
	wroteW = min(wroteW, width*40/100)
	return width - wroteW - 3, wroteW
}

// Beside draws box (errW wide, h lines) with the wrote lines beside it,
// in wroteW cells; lines that do not fit are counted on the last.
func Beside(st *common.Styles, box string, errW, wroteW, h int, wrote []string) string {
	if wroteW == 0 {
		return box
	}
	right := make([]string, h)
	for i := range right {
		l := ""
		if i < len(wrote) {
			l = wrote[i]
		}
		if i == h-1 && len(wrote) > h {
			l = fmt.Sprintf("  … %d lines more", len(wrote)-h+1)
		}
		right[i] = st.Border.Render("│") + " " + ansi.Truncate(l, wroteW, "…")
	}
	return lipgloss.JoinHorizontal(lipgloss.Top, common.Pad(box, errW, h), " ", strings.Join(right, "\n"))
}
