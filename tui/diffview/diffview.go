// Package diffview shows what a container changed against its image: the
// changes as a tree with A/C/D marks, colours and sizes, and the content
// diff of the selected file.
package diffview

import (
	"fmt"
	"path"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// Model is the diff view.
type Model struct {
	common.Common
	title   string
	changes []cdiff.Change
	err     error
	sel     int
	scroll  int
}

// New returns the view of changes (nil while they are computed; err when
// that failed). title says what ran.
func New(c common.Common, title string, changes []cdiff.Change, err error) *Model {
	return &Model{Common: c, title: title, changes: changes, err: err}
}

// Scrolls says the selected change has a content diff, which pgup and
// pgdown scroll.
func (m *Model) Scrolls() bool {
	return len(m.changes) > 0 && m.changes[min(m.sel, len(m.changes)-1)].Diff != ""
}

// Rows is how many changes the view lists.
func (m *Model) Rows() int { return len(m.changes) }

// Update moves the selection or scrolls the selected change's diff.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.Keys.Up):
			m.sel, m.scroll = max(m.sel-1, 0), 0
		case key.Matches(k, m.Keys.Down):
			m.sel, m.scroll = min(m.sel+1, max(len(m.changes)-1, 0)), 0
		case key.Matches(k, m.Keys.PageDown):
			m.scroll += 5
		case key.Matches(k, m.Keys.PageUp):
			m.scroll = max(m.scroll-5, 0)
		}
	}
	return nil
}

// View draws the tree and the selected file's diff.
func (m *Model) View() string {
	s := m.Styles
	switch {
	case m.err != nil:
		return s.Failed.Render("cannot diff: " + m.err.Error())
	case m.changes == nil:
		return s.Dim.Render("running " + m.title + " and diffing its filesystem…")
	}
	var a, c, d int
	for _, ch := range m.changes {
		switch ch.Kind {
		case cdiff.Added:
			a++
		case cdiff.Deleted:
			d++
		default:
			c++
		}
	}
	lines := []string{s.Title.Render(fmt.Sprintf("%s: %d added, %d changed, %d deleted", m.title, a, c, d))}
	if len(m.changes) == 0 {
		return strings.Join(append(lines, "no changes: the container wrote nothing to its filesystem"), "\n")
	}
	listH := max(m.Height/2, 3)
	off := max(0, m.sel-listH+1)
	for i := off; i < len(m.changes) && i < off+listH; i++ {
		ch := m.changes[i]
		depth := strings.Count(strings.Trim(ch.Path, "/"), "/")
		st := s.Done
		switch ch.Kind {
		case cdiff.Deleted:
			st = s.Failed
		case cdiff.Changed:
			st = s.Running
		}
		name := model.Printable(path.Base(ch.Path))
		if ch.Old != nil && ch.New != nil && ch.Old.ModeString() != ch.New.ModeString() {
			name += fmt.Sprintf("  (%s → %s)", ch.Old.ModeString(), ch.New.ModeString())
		}
		line := fmt.Sprintf("%s %9s  %s%s", st.Render(ch.Kind.String()), model.HumanSize(ch.SizeBytes()),
			strings.Repeat("  ", depth), name)
		if i == m.sel {
			line = s.Selected.Render(ansi.Strip(line))
		}
		lines = append(lines, ansi.Truncate(line, m.Width, "…"))
	}
	for len(lines) < listH+1 {
		lines = append(lines, "")
	}
	ch := m.changes[min(m.sel, len(m.changes)-1)]
	lines = append(lines, s.Border.Render(strings.Repeat("─", m.Width)), s.Title.Render(model.Printable(ch.String())))
	if ch.Diff == "" {
		lines = append(lines, s.Dim.Render("no content diff (not a text file, a directory, or unchanged content)"))
	} else {
		dl := strings.Split(strings.TrimRight(ch.Diff, "\n"), "\n")
		for _, l := range dl[min(m.scroll, len(dl)-1):] {
			if l != "" { // the marker, then the file's own text
				l = l[:1] + common.FileText(l[1:])
			}
			switch {
			case strings.HasPrefix(l, "+"):
				l = s.Done.Render(l)
			case strings.HasPrefix(l, "-"):
				l = s.Failed.Render(l)
			case strings.HasPrefix(l, "@@"):
				l = s.Dim.Render(l)
			}
			lines = append(lines, ansi.Truncate(l, m.Width, "…"))
		}
	}
	if len(lines) > m.Height {
		lines = lines[:m.Height]
	}
	return strings.Join(lines, "\n")
}
