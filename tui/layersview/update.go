package layersview

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// Update routes a message.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case LayerMsg:
		if msg.Gen != m.held.Gen() {
			return nil // from an image this view no longer shows
		}
		m.analysed = append(m.analysed, msg.Layer)
		return m.held.Next()
	case DoneMsg:
		if msg.Gen != m.held.Gen() {
			return nil
		}
		m.a, m.err = msg.Analysis, msg.Err
		m.refresh()
	case PreviewMsg:
		if msg.Gen != m.held.Gen() {
			return nil
		}
		m.preview = msg
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseClickMsg:
		m.click(msg.Mouse().Y)
	case tea.MouseWheelMsg:
		d := common.WheelRows(msg)
		if msg.Mouse().Y < m.geometry().treeY {
			m.focus = focusLayers
			d /= 3
		} else {
			m.focus = focusTree
		}
		m.move(d)
	}
	return nil
}

// click selects the layer or the tree row under the pointer (y is the
// line within the view); a click on a selected directory expands it.
func (m *Model) click(y int) {
	g := m.geometry()
	if i := g.layersOff + y - layersY; y >= layersY && y < g.treeY && i < len(m.opts.Infos) && i >= 0 {
		if y < layersY+len(m.opts.Infos)-g.layersOff {
			m.focus, m.layer = focusLayers, i
			m.refresh()
			return
		}
	}
	if i := g.treeOff + y - g.treeY; y >= g.treeY && i < len(m.rows) {
		if m.focus == focusTree && i == m.cursor && m.rows[i].node.Dir {
			id := m.rows[i].node.ID
			m.expanded[id] = !m.expanded[id]
			m.refresh()
			return
		}
		m.focus, m.cursor = focusTree, i
	}
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.filter.Active() {
		if m.filter.Key(msg) {
			m.refresh()
		}
		return nil
	}
	k := m.Keys
	switch {
	case key.Matches(msg, k.Focus):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-10)
	case key.Matches(msg, k.PageDown):
		m.move(10)
	case key.Matches(msg, k.Filter):
		m.filter.Start()
	case key.Matches(msg, k.Top):
		m.move(-max(len(m.rows), len(m.opts.Infos)))
	case key.Matches(msg, k.Bottom):
		m.move(max(len(m.rows), len(m.opts.Infos)))
	case key.Matches(msg, k.Expand):
		switch {
		case m.focus == focusLayers: // enter on a layer: its files
			m.focus = focusTree
		case m.cursor < len(m.rows) && m.rows[m.cursor].node.Dir:
			id := m.rows[m.cursor].node.ID
			m.expanded[id] = !m.expanded[id]
			m.refresh()
		case m.cursor < len(m.rows): // enter on a file: its first bytes
			m.showPreview = !m.showPreview
			return m.readPreview()
		}
	case key.Matches(msg, k.LayerMode):
		m.mode = 1 - m.mode
		m.refresh()
	case key.Matches(msg, k.ChangedOnly):
		m.hideUnmo = !m.hideUnmo
		m.refresh()
	case key.Matches(msg, k.Sort):
		m.sortBy = 1 - m.sortBy
		m.refresh()
	case key.Matches(msg, k.Largest):
		m.largest = !m.largest
		m.focus = focusTree
		m.refresh()
	case key.Matches(msg, k.Preview):
		m.showPreview = !m.showPreview
		return m.readPreview()
	}
	return nil
}

// Typing says a prompt (the path filter) takes every key.
func (m *Model) Typing() bool { return m.filter.Active() }

func (m *Model) move(d int) {
	if m.focus == focusLayers {
		n := len(m.opts.Infos)
		m.layer = min(max(m.layer+d, 0), max(n-1, 0))
		m.refresh()
		return
	}
	m.cursor = min(max(m.cursor+d, 0), max(len(m.rows)-1, 0))
}

// readPreview asks for the selected file's first bytes.
func (m *Model) readPreview() tea.Cmd {
	if !m.showPreview || m.opts.Session == nil || m.cursor >= len(m.rows) {
		return nil
	}
	n := m.rows[m.cursor].node
	if n.Type != layers.TypeRegular || n.Change == layers.Removed {
		m.preview = PreviewMsg{Gen: m.held.Gen(), Path: n.Path}
		return nil
	}
	return m.opts.Session.Preview(n.Layer, n.Path)
}
