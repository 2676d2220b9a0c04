// Package layersview is the image inspector: the layer list first (from
// the manifest, before any layer is read), then, as the analysis streams
// in, the file tree of the selected layer (aggregated or the layer alone)
// with added/modified/removed marks and sizes, collapse and expand, a path
// filter, hiding unmodified paths, sorting by name or size, the largest
// files, the image's efficiency and waste, and a preview of a file.
package layersview

import (
	"regexp"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// LayerMsg says one more layer was analysed.
type LayerMsg struct{ Layer *layers.Layer }

// DoneMsg carries the finished analysis (or why it failed).
type DoneMsg struct {
	Analysis *layers.Analysis
	Err      error
}

// PreviewMsg carries a file's first bytes.
type PreviewMsg struct {
	Path string
	Text string
	Err  error
}

// Options configure the view.
type Options struct {
	// Title names the image.
	Title string
	// Infos are the layers as the manifest lists them.
	Infos []layers.LayerInfo
	// Preview reads the first bytes of a path as of a layer (nil: no
	// preview).
	Preview func(layer int, path string) (string, error)
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
	Keys common.KeyMap
	opts Options

	analysed []*layers.Layer
	a        *layers.Analysis
	err      error

	layer    int
	focus    focus
	mode     layers.Mode
	sortBy   layers.SortBy
	hideUnmo bool
	filter   *regexp.Regexp
	filterIn common.Input
	largest  bool

	view     *layers.View
	keep     layers.Subset
	rows     []row
	cursor   int
	expanded map[layers.NodeID]bool

	preview     PreviewMsg
	showPreview bool

	// where the last frame put things, for the mouse
	layersY, layersOff, treeY, treeOff int
}

// New returns the inspector for the layers listed in o.Infos.
func New(c common.Common, keys common.KeyMap, o Options) *Model {
	return &Model{Common: c, Keys: keys, opts: o, expanded: map[layers.NodeID]bool{layers.RootID: true}}
}

// Init starts nothing: the analysis is the caller's command.
func (m *Model) Init() tea.Cmd { return nil }

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
	if m.filter != nil || m.hideUnmo {
		m.keep = m.view.Filter(m.filter, m.hideUnmo)
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
