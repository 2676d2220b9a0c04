package layersview

import (
	"fmt"
	"io/fs"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

func size(n int64) string { return model.HumanSize(n) }

// geom is where View puts the layer list and the tree, derived from the
// state alone so that View and the mouse agree without View recording it.
type geom struct {
	layersH, layersOff    int // the list's height (its title included) and first layer shown
	treeY, treeH, treeOff int // the tree's first line, its height and first row shown
}

// layersY is the line of the first layer shown, below the list's title.
const layersY = 1

func (m *Model) geometry() geom {
	g := geom{layersH: min(len(m.opts.Infos)+1, max(m.Height/3, 4))}
	g.layersOff = max(0, m.layer-(g.layersH-1)+1)
	listed := max(min(len(m.opts.Infos)-g.layersOff, g.layersH-1), 0)
	above := layersY + listed + len(m.details()) + 1 // and the border
	g.treeH = m.Height - above - 1                   // and the tree's title
	if m.showPreview {
		g.treeH = g.treeH / 2
	}
	g.treeH = max(g.treeH, 1)
	g.treeY = above + 1
	g.treeOff = max(0, m.cursor-g.treeH+1)
	return g
}

// View draws the layer list, the details and the tree.
func (m *Model) View() string {
	s := m.Styles
	g := m.geometry()
	var out []string
	title := "Layers"
	if m.focus == focusLayers {
		title = "▸ " + title
	}
	out = append(out, s.Title.Render(title)+s.Dim.Render(fmt.Sprintf("  %s · %d layers", m.opts.Title, len(m.opts.Infos))))
	for i := g.layersOff; i < len(m.opts.Infos) && len(out) < g.layersH; i++ {
		in := m.opts.Infos[i]
		sz := "…"
		if i < len(m.analysed) {
			sz = size(m.analysed[i].SizeBytes)
		}
		line := fmt.Sprintf("%3d %9s  %s  %s", i, sz, shortDigest(in.Digest.String()), in.CreatedBy)
		if i == m.layer {
			line = s.Selected.Render(ansi.Strip(line))
		}
		out = append(out, ansi.Truncate(line, m.Width, "…"))
	}
	out = append(out, m.details()...)
	out = append(out, s.Border.Render(strings.Repeat("─", m.Width)))
	out = append(out, m.treeTitle())
	out = append(out, m.tree(g)...)
	if m.showPreview {
		out = append(out, s.Border.Render(strings.Repeat("─", m.Width)))
		out = append(out, m.previewLines(m.Height-len(out))...)
	}
	return common.Frame(out, m.Width, m.Height)
}

func (m *Model) details() []string {
	s := m.Styles
	switch {
	case m.err != nil:
		return []string{s.Failed.Render("analysis failed: " + m.err.Error())}
	case m.a == nil:
		return []string{s.Running.Render(fmt.Sprintf("reading layers… %d/%d", len(m.analysed), len(m.opts.Infos)))}
	}
	a := m.a
	line := fmt.Sprintf("size %s (compressed %s) · efficiency %.1f%% · wasted %s", size(a.SizeBytes), size(a.CompressedBytes), 100*a.Efficiency, size(a.WastedBytes))
	out := []string{line}
	for i, in := range a.Inefficiencies {
		if i == 3 {
			out = append(out, s.Dim.Render(fmt.Sprintf("  … %d more inefficient paths", len(a.Inefficiencies)-3)))
			break
		}
		out = append(out, s.Warning.Render(fmt.Sprintf("  %s ×%d wastes %s", layers.DisplayPath(in.Path), in.Count, size(in.WastedBytes))))
	}
	return out
}

func (m *Model) treeTitle() string {
	s := m.Styles
	if m.filter.Active() {
		return m.filter.Prompt()
	}
	mode := "aggregated"
	if m.mode == layers.LayerOnly {
		mode = "this layer only"
	}
	order := "name"
	if m.sortBy == layers.BySize {
		order = "size"
	}
	t := fmt.Sprintf("Files as of layer %d (%s, by %s", m.layer, mode, order)
	if m.hideUnmo {
		t += ", changed only"
	}
	t += m.filter.Title() + ")"
	if m.largest {
		t = fmt.Sprintf("Largest files as of layer %d", m.layer)
	}
	if m.focus == focusTree {
		return s.Title.Render("▸ " + t)
	}
	k := m.Keys
	hint := make([]string, 0, 6)
	for _, b := range []key.Binding{k.LayerMode, k.ChangedOnly, k.Sort, k.Filter, k.Largest, k.Preview} {
		hint = append(hint, b.Help().Key)
	}
	return s.Title.Render(t) + s.Dim.Render("  "+k.Focus.Help().Key+": focus · "+strings.Join(hint, " "))
}

func (m *Model) tree(g geom) []string {
	s := m.Styles
	if m.a == nil {
		return nil
	}
	var out []string
	for i := g.treeOff; i < len(m.rows) && len(out) < g.treeH; i++ {
		r := m.rows[i]
		n := r.node
		mark, st := " ", s.Dim
		switch n.Change {
		case layers.Added:
			mark, st = "A", s.Done
		case layers.Modified:
			mark, st = "M", s.Running
		case layers.Removed:
			mark, st = "R", s.Failed
		}
		name := layers.DisplayPath(n.Path)
		if !m.largest {
			name = strings.Repeat("  ", r.depth) + model.Printable(n.Name)
			if n.Dir {
				if m.expanded[n.ID] || m.keep != nil {
					name = strings.Repeat("  ", r.depth) + "▾ " + model.Printable(n.Name) + "/"
				} else {
					name = strings.Repeat("  ", r.depth) + "▸ " + model.Printable(n.Name) + "/"
				}
			}
		}
		if n.Link != "" {
			name += " → " + n.Link
		}
		line := fmt.Sprintf("%s %s %9s  %s", st.Render(mark), modeString(n.Mode), size(n.Size), name)
		if i == m.cursor && m.focus == focusTree {
			line = s.Selected.Render(ansi.Strip(line))
		}
		out = append(out, line)
	}
	return out
}

func (m *Model) previewLines(h int) []string {
	p := m.preview
	switch {
	case p.Err != nil:
		return []string{m.Styles.Failed.Render("preview: " + p.Err.Error())}
	case p.Path == "":
		return []string{m.Styles.Dim.Render("select a file and press p")}
	case p.Text == "":
		return []string{m.Styles.Dim.Render(layers.DisplayPath(p.Path) + ": nothing to preview (not a text file)")}
	}
	lines := strings.Split(p.Text, "\n")
	if len(lines) > h {
		lines = lines[:max(h, 0)]
	}
	for i, l := range lines { // the file's text as a terminal shows it: tabs to the next stop of 8
		lines[i] = common.FileText(l)
	}
	return lines
}

// modeString is a mode as ls -l writes it, always ten cells: the type,
// then rwx three times, with setuid, setgid and sticky in the x places
// (s, S, t, T), not Go's extra leading letters ("dtrwxrwxrwx").
func modeString(m fs.FileMode) string {
	t := byte('-')
	switch {
	case m&fs.ModeDir != 0:
		t = 'd'
	case m&fs.ModeSymlink != 0:
		t = 'l'
	case m&fs.ModeNamedPipe != 0:
		t = 'p'
	case m&fs.ModeSocket != 0:
		t = 's'
	case m&fs.ModeCharDevice != 0:
		t = 'c'
	case m&fs.ModeDevice != 0:
		t = 'b'
	}
	b := []byte{t}
	const rwx = "rwxrwxrwx"
	for i := 0; i < 9; i++ {
		if m&(1<<uint(8-i)) != 0 {
			b = append(b, rwx[i])
		} else {
			b = append(b, '-')
		}
	}
	special := func(i int, on bool, c byte) {
		if !on {
			return
		}
		if b[i] == 'x' {
			b[i] = c
		} else {
			b[i] = c - 'a' + 'A'
		}
	}
	special(3, m&fs.ModeSetuid != 0, 's')
	special(6, m&fs.ModeSetgid != 0, 's')
	special(9, m&fs.ModeSticky != 0, 't')
	return string(b)
}

func shortDigest(d string) string { return model.ShortDigest(d) }
