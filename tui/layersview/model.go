// Package layersview is the image inspector: the layer list first (from
// the manifest, before any layer is read), then, as the analysis streams
// in, the file tree of the selected layer (aggregated or the layer alone)
// with added/modified/removed marks and sizes, collapse and expand, a path
// filter, hiding unmodified paths, sorting by name or size, the largest
// files, the image's efficiency and waste, and a preview of a file.
package layersview

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// Options configure the view.
type Options struct {
	// Title names the image.
	Title string
	// Infos are the layers as the manifest lists them.
	Infos []layers.LayerInfo
	// Session streams the analysis and reads previews; only its
	// messages are taken (nil: the caller sends untagged messages, as
	// tests do, and there is no preview).
	Session *Session
}

type focus int

const (
	focusLayers focus = iota
	focusTree
)

// row is one line of the flattened tree.
type row struct {
	node  layers.Node
	depth int
}

// Model is the inspector.
type Model struct {
	common.Common
	opts Options

	analysed []*layers.Layer
	a        *layers.Analysis
	err      error

	layer    int
	focus    focus
	mode     layers.Mode
	sortBy   layers.SortBy
	hideUnmo bool
	filter   common.Filter
	largest  bool

	view     *layers.View
	keep     layers.Subset
	rows     []row
	cursor   int
	expanded map[layers.NodeID]bool

	preview     PreviewMsg
	showPreview bool

	held common.Held[v1.Image]
}

// New returns the inspector for the layers listed in o.Infos.
func New(c common.Common, o Options) *Model {
	m := &Model{Common: c, opts: o, expanded: map[layers.NodeID]bool{layers.RootID: true}}
	if o.Session != nil {
		m.held.S = o.Session.Stream
	}
	return m
}

// Init starts reading the session's stream.
func (m *Model) Init() tea.Cmd { return m.held.Next() }

// Close cancels the session (nothing of it is taken any more) and returns
// the command that releases its image.
func (m *Model) Close() tea.Cmd { return m.held.Close() }

// ShortHelp is the inspector's help bar.
func (m *Model) ShortHelp() []key.Binding { return m.HelpBar() }

// HelpBar is the help bar with the caller's keys for leaving the view
// (back, quit) after the moving keys and before the modes, which a
// narrow bar cuts first.
func (m *Model) HelpBar(leave ...key.Binding) []key.Binding {
	k := m.Keys
	bar := []key.Binding{k.Focus, k.Up, k.Down, k.Expand, k.Filter}
	bar = append(bar, leave...)
	return append(bar, k.LayerMode, k.ChangedOnly, k.Sort, k.Largest, k.Preview)
}

// HelpWith is the inspector's help inside another UI: views are that
// UI's other views, leave its keys to leave the inspector.
func (m *Model) HelpWith(views, leave []key.Binding) help.KeyMap {
	return keyHelp{m.HelpBar(leave...), append(m.FullHelp(), views, leave)}
}

// keyHelp is a help of a bar and its full groups.
type keyHelp struct {
	bar  []key.Binding
	full [][]key.Binding
}

func (h keyHelp) ShortHelp() []key.Binding  { return h.bar }
func (h keyHelp) FullHelp() [][]key.Binding { return h.full }

// FullHelp is the inspector's help shown on '?'.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{{k.Focus, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Expand, k.Filter}, {k.LayerMode, k.ChangedOnly, k.Sort, k.Largest, k.Preview}}
}

// Analysis is the analysis once done.
func (m *Model) Analysis() *layers.Analysis { return m.a }

// refresh rebuilds the view of the selected layer and the visible rows.
func (m *Model) refresh() {
	if m.a == nil {
		m.rows = nil
		return
	}
	m.view = m.a.View(m.layer, m.mode)
	m.keep = nil
	if m.filter.On() || m.hideUnmo {
		m.keep = m.view.Filter(m.filter.Regexp(), m.hideUnmo)
	}
	m.rows = m.rows[:0]
	if m.largest {
		for _, n := range m.view.Largest(200) {
			m.rows = append(m.rows, row{node: n})
		}
	} else {
		m.walk(layers.RootID, 0)
	}
	m.cursor = min(m.cursor, max(len(m.rows)-1, 0))
}

func (m *Model) walk(id layers.NodeID, depth int) {
	for _, n := range m.view.Children(id, m.sortBy, m.keep) {
		m.rows = append(m.rows, row{node: n, depth: depth})
		if n.Dir && (m.expanded[n.ID] || m.keep != nil) {
			m.walk(n.ID, depth+1)
		}
	}
}
