package compareview

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/model"
	buildcompare "github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/common"
)

// View draws the summary, the steps (when both sides are builds), the
// tree of changes and the selected file's or step's details.
func (m *Model) View() string {
	s := m.Styles
	var out []string
	out = append(out, m.summary()...)
	if m.res != nil && m.res.Build != nil {
		n := len(m.res.Build.Steps)
		// the steps get what the files do not need (the screen is filled),
		// at least a quarter of it
		h := max(m.Height/4, 3)
		if need := len(m.tree(m.Height)); !m.detail {
			h = max(h, m.Height-len(out)-4-max(need, 1))
		}
		if m.detail && m.focus == focusFiles {
			h = 2 // room for the file's diff
		}
		h = min(n, h)
		hint := fmt.Sprintf("%d matched by stage and instruction", n)
		if h < n { // the count is of every step, the list a window on them
			off := max(0, m.step-h+1)
			hint += fmt.Sprintf(" · %d–%d shown", off+1, off+h)
		}
		out = append(out, s.Border.Render(strings.Repeat("─", m.Width)))
		out = append(out, m.title("Steps", focusSteps, hint))
		out = append(out, m.steps(h)...)
	}
	out = append(out, s.Border.Render(strings.Repeat("─", m.Width)))
	out = append(out, m.filesTitle())
	treeH := m.Height - len(out)
	if m.detail {
		treeH /= 2
	}
	out = append(out, m.tree(max(treeH, 1))...)
	if m.detail {
		out = append(out, s.Border.Render(strings.Repeat("─", m.Width)))
		out = append(out, m.details(m.Height-len(out))...)
	}
	return common.Frame(out, m.Width, m.Height)
}

func (m *Model) summary() []string {
	s := m.Styles
	switch {
	case m.err != nil:
		return []string{s.Failed.Render("compare failed: " + model.Printable(m.err.Error()))}
	case m.res == nil:
		return []string{s.Running.Render("reading the layers of A and B…")}
	}
	im := m.res.Image
	nb := 0
	for _, l := range im.Layers {
		if l.Side != "a" {
			nb++
		}
	}
	out := []string{fmt.Sprintf("size %s → %s (%s) · compressed %s → %s · %d of B's %d layers shared with A",
		size(im.Size[0]), size(im.Size[1]), delta(im.Size[1]-im.Size[0]), size(im.Compressed[0]), size(im.Compressed[1]), im.SharedLayers, nb)}
	if b := m.res.Build; b != nil {
		out = append(out, fmt.Sprintf("build %.2fs → %.2fs · cached %d/%d → %d/%d steps", b.Wall[0], b.Wall[1],
			b.Cache[0].StepsCached, b.Cache[0].StepsTotal, b.Cache[1].StepsCached, b.Cache[1].StepsTotal))
	}
	for i, c := range im.Config {
		if i == 3 {
			out = append(out, s.Dim.Render(fmt.Sprintf("  … %d more config changes", len(im.Config)-3)))
			break
		}
		out = append(out, s.Warning.Render("config "+c.Field+": "+configChange(c.A, c.B)))
	}
	if im.Same {
		out = append(out, s.Done.Render("same content (timestamps and layer packaging aside)"))
	}
	return out
}

func (m *Model) title(t string, f focus, hint string) string {
	if m.focus == f {
		return m.Styles.Title.Render("▸ "+t) + m.Styles.Dim.Render("  "+hint)
	}
	return m.Styles.Title.Render(t) + m.Styles.Dim.Render("  "+hint+" · "+m.Keys.Focus.Help().Key+": focus")
}

func (m *Model) filesTitle() string {
	if m.filter.Active() {
		return m.filter.Prompt()
	}
	n := 0
	if m.root != nil {
		n = m.root.count
	}
	order := "by name"
	if m.bySize {
		order = "by size change"
	}
	t := fmt.Sprintf("Files that differ: %d (%s", n, order)
	if m.largest {
		t = fmt.Sprintf("Largest size changes of %d (", n) + "top 200"
	}
	if m.changed {
		t += ", changed only"
	}
	t += m.filter.Title()
	return m.title(t+")", focusFiles, "A added in B · D removed · C changed")
}

func (m *Model) steps(h int) []string {
	s := m.Styles
	b := m.res.Build
	off := max(0, m.step-h+1)
	var out []string
	for i := off; i < len(b.Steps) && len(out) < h; i++ {
		st := b.Steps[i]
		line := fmt.Sprintf("%-10s %-12s %-12s %s", ansi.Truncate(model.Printable(st.Stage), 10, "…"), state(st, 0), state(st, 1), model.Printable(st.Instruction))
		if st.Why != nil {
			line += s.Dim.Render("  " + st.Why.Reason)
		}
		if i == m.step && m.focus == focusSteps {
			line = s.Selected.Render(ansi.Strip(line))
		}
		out = append(out, line)
	}
	return out
}

// state is how side i did the step: absent, cached or ran (for how long).
func state(st buildcompare.StepComparison, i int) string {
	switch {
	case !st.Present[i]:
		return "absent"
	case st.Cached[i]:
		return "cached"
	}
	return fmt.Sprintf("ran %.2fs", st.Seconds[i])
}

func (m *Model) tree(h int) []string {
	s := m.Styles
	if m.root == nil {
		return nil
	}
	if len(m.rows) == 0 {
		return []string{s.Dim.Render("no file differs")}
	}
	off := max(0, m.cursor-h+1)
	var out []string
	for i := off; i < len(m.rows) && len(out) < h; i++ {
		r := m.rows[i]
		n := r.n
		mark, st, sizes := " ", s.Dim, fmt.Sprintf("%21s", "")
		if c := n.change; c != nil {
			mark = c.Kind
			switch c.Kind {
			case "A":
				st = s.Done
			case "D":
				st = s.Failed
			default:
				st = s.Running
			}
			sizes = fmt.Sprintf("%9s → %-9s", sideSize(c, 0), sideSize(c, 1))
		}
		name := model.Printable(n.path)
		if !m.largest {
			name = strings.Repeat("  ", r.depth) + model.Printable(n.name)
			if n.dir() {
				arrow := "▸ "
				if m.expanded[n.path] || m.filter.On() {
					arrow = "▾ "
				}
				name = strings.Repeat("  ", r.depth) + arrow + model.Printable(n.name) + fmt.Sprintf("/ (%d)", n.count)
			}
		}
		if c := n.change; c != nil && len(c.What) > 0 {
			name += " (" + strings.Join(c.What, ", ") + ")"
		}
		line := fmt.Sprintf("%s %s %10s  %s", st.Render(mark), sizes, delta(n.delta), name)
		if i == m.cursor && m.focus == focusFiles {
			line = s.Selected.Render(ansi.Strip(line))
		}
		out = append(out, line)
	}
	return out
}

func sideSize(c *buildcompare.FileChange, i int) string {
	if c.Layer[i] < 0 {
		return "-"
	}
	return size(c.Size[i])
}

func size(n int64) string { return model.HumanSize(n) }

func delta(n int64) string {
	switch {
	case n > 0:
		return "+" + size(n)
	case n < 0:
		return "-" + size(-n)
	}
	return "="
}

// configChange is a config field's change on one line: the lines only A
// has (-) and only B has (+) for lists (Env, Labels, history), A → B
// for the rest.
func configChange(a, b string) string {
	if !strings.Contains(a+b, "\n") {
		return fmt.Sprintf("%q → %q", model.Printable(a), model.Printable(b))
	}
	onlyA, onlyB := compare.LinesOnly(a, b)
	var out []string
	for _, l := range onlyA {
		out = append(out, "-"+model.Printable(l))
	}
	for _, l := range onlyB {
		out = append(out, "+"+model.Printable(l))
	}
	return strings.Join(out, " ")
}
