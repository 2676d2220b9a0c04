package compareview

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/tui/common"
)

// Update routes a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case DoneMsg:
		if msg.Gen != m.held.Gen() {
			return nil // from a comparison this view no longer shows
		}
		m.res, m.err = msg.Result, msg.Err
		m.rebuild()
	case DiffMsg:
		if msg.Gen != m.held.Gen() {
			return nil
		}
		m.diff = msg
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		m.move(common.WheelRows(msg))
	}
	return nil
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.filter.Active() {
		if m.filter.Key(msg) {
			m.cursor = 0
			m.rebuild()
		}
		return nil
	}
	k := m.Keys
	switch {
	case key.Matches(msg, k.Focus):
		if m.res != nil && m.res.Build != nil {
			m.focus = 1 - m.focus
			m.detail = false
		}
	case key.Matches(msg, k.Back):
		m.detail = false
	case key.Matches(msg, k.PageUp):
		m.move(-10)
	case key.Matches(msg, k.PageDown):
		m.move(10)
	case key.Matches(msg, k.Filter):
		m.filter.Start()
	case key.Matches(msg, k.Expand):
		return m.open()
	case key.Matches(msg, k.ChangedOnly):
		m.changed = !m.changed
		m.rebuild()
	case key.Matches(msg, k.Sort):
		m.bySize = !m.bySize
		m.refresh()
	case key.Matches(msg, k.Largest):
		m.largest = !m.largest
		m.focus = focusFiles
		m.refresh()
	default:
		if m.focus == focusSteps {
			m.step, _ = k.MoveSelection(msg, m.step, m.stepCount())
		} else {
			m.cursor, _ = k.MoveSelection(msg, m.cursor, len(m.rows))
		}
	}
	return nil
}

func (m *Model) move(d int) {
	if m.focus == focusSteps {
		m.step = min(max(m.step+d, 0), max(m.stepCount()-1, 0))
		return
	}
	m.cursor = min(max(m.cursor+d, 0), max(len(m.rows)-1, 0))
}

func (m *Model) stepCount() int {
	if m.res == nil || m.res.Build == nil {
		return 0
	}
	return len(m.res.Build.Steps)
}

// open expands or collapses the selected directory, or shows the
// selected file's (or step's) details, asking for the file's content
// diff.
func (m *Model) open() tea.Cmd {
	if m.focus == focusSteps {
		m.detail = !m.detail && m.stepCount() > 0
		return nil
	}
	if m.cursor >= len(m.rows) {
		return nil
	}
	n := m.rows[m.cursor].n
	if n.dir() && !m.largest {
		m.expanded[n.path] = !m.expanded[n.path]
		m.refresh()
		return nil
	}
	if n.change == nil {
		return nil
	}
	m.detail = true
	m.diff = DiffMsg{Gen: m.held.Gen(), Path: n.path}
	if n.change.Kind == "D" || m.opts.Session == nil {
		return nil
	}
	m.diff.Path = "" // reading
	return m.opts.Session.Diff(n.path)
}

// rebuild makes the tree of the changes the filters keep.
func (m *Model) rebuild() {
	m.root = nil
	if m.res != nil && m.res.Image != nil {
		m.root = buildTree(m.res.Image.Files, func(c *compare.FileChange) bool {
			return (!m.changed || c.Kind == "C") && m.filter.Match(c.Path)
		})
	}
	m.refresh()
}

// refresh lists the visible rows.
func (m *Model) refresh() {
	m.rows = m.rows[:0]
	if m.root == nil {
		return
	}
	if m.largest {
		for _, n := range m.root.largest(200) {
			m.rows = append(m.rows, row{n: n})
		}
	} else {
		m.walk(m.root, 0)
	}
	m.cursor = min(m.cursor, max(len(m.rows)-1, 0))
}

func (m *Model) walk(n *node, depth int) {
	for _, c := range n.sorted(m.bySize) {
		m.rows = append(m.rows, row{n: c, depth: depth})
		if c.dir() && (m.expanded[c.path] || m.filter.On()) {
			m.walk(c, depth+1)
		}
	}
}
