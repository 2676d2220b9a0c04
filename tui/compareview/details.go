package compareview

import (
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/common"
)

// details are the selected step's or file's details, at most h lines.
func (m *Model) details(h int) []string {
	var out []string
	if m.focus == focusSteps {
		out = m.stepDetails()
	} else if m.cursor < len(m.rows) && m.rows[m.cursor].n.change != nil {
		out = m.fileDetails(m.rows[m.cursor].n.change)
	}
	return out[:min(len(out), max(h, 0))]
}

func (m *Model) stepDetails() []string {
	if m.stepCount() == 0 {
		return nil
	}
	st := m.res.Build.Steps[min(m.step, m.stepCount()-1)]
	out := []string{m.Styles.Title.Render(model.Printable(st.Stage) + ": " + model.Printable(st.Instruction))}
	for i, side := range []string{"A", "B"} {
		line := fmt.Sprintf("%s: %s", side, state(st, i))
		if st.Present[i] {
			line += fmt.Sprintf(" · Dockerfile line %d", st.Line[i])
			if st.Size[i] != nil {
				line += " · layer " + size(*st.Size[i])
			}
		}
		out = append(out, line)
	}
	if w := st.Why; w != nil {
		out = append(out, m.Styles.Warning.Render("why B ran it: "+w.Reason+model.Printable(w.Detail.Text(w.Reason))))
	}
	if c := st.Changed; c != nil {
		out = append(out, m.Styles.Dim.Render("changed, still a cache hit: "+c.Reason+model.Printable(c.Detail.Text(c.Reason))))
	}
	return out
}

func (m *Model) fileDetails(c *compare.FileChange) []string {
	s := m.Styles
	out := []string{s.Title.Render(model.Printable(c.String()))}
	for i, side := range []string{"A", "B"} {
		if c.Layer[i] < 0 {
			out = append(out, side+": absent")
			continue
		}
		out = append(out, fmt.Sprintf("%s: %s · layer %d · %s", side, size(c.Size[i]), c.Layer[i], model.Printable(c.Step[i])))
	}
	switch d := m.diff; {
	case c.Kind == "D":
	case d.Err != nil:
		out = append(out, s.Failed.Render("diff: "+model.Printable(d.Err.Error())))
	case d.Path == "":
		out = append(out, s.Running.Render("reading the content of A and B…"))
	case d.Diff == "":
		out = append(out, s.Dim.Render("no text diff (binary, too large, or the same text)"))
	default:
		for _, l := range strings.Split(strings.TrimSuffix(d.Diff, "\n"), "\n") {
			st := s.Dim
			switch {
			case strings.HasPrefix(l, "+"):
				st = s.Done
			case strings.HasPrefix(l, "-"):
				st = s.Failed
			}
			if l != "" { // the marker (+, -, space), then the file's text
				l = l[:1] + common.FileText(l[1:])
			}
			out = append(out, st.Render(l))
		}
	}
	return out
}
