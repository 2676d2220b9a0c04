// Package compareview is the interactive comparison of two builds or
// images: the files that differ as one tree merged from A and B (A: only
// in B, D: only in A, C: in both, changed) with sizes on each side and
// per directory, filters (changed only, by path, the largest changes),
// a file's content diff and the layer and Dockerfile step that wrote it
// on each side, and, when both are builds, a steps pane with what ran or
// hit the cache on each side and why. It renders a compare.Result and
// routes keys; the comparison and the diffs are read by its Session in
// tea.Cmds.
package compareview

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/tui/common"
)

// Options configure the view.
type Options struct {
	// A and B name what is compared (the specs as given).
	A, B string
	// Session compares them and reads content diffs (nil: the caller
	// sends untagged messages, as tests do, and there are no diffs).
	Session *Session
}

type focus int

const (
	focusFiles focus = iota
	focusSteps
)

// Model is the comparison view.
type Model struct {
	common.Common
	opts Options

	res *compare.Result
	err error

	focus   focus
	bySize  bool
	changed bool // C only: paths both sides hold
	largest bool
	filter  common.Filter

	root     *node
	rows     []row
	cursor   int
	expanded map[string]bool
	step     int

	detail bool // the selected file's or step's details are shown
	diff   DiffMsg

	held common.Held[*compare.Pair]
}

// New returns the view of the comparison o.Session makes. Another view
// (the history list, two builds marked) opens it as
//
//	s := compareview.StartBuilds(ctx, gen, older, newer, source.Options{Paths: paths})
//	v := compareview.New(c, compareview.Options{A: "build:" + older.ID, B: "build:" + newer.ID, Session: s})
//	cmd := v.Init()
//
// from a tea.Cmd or Update (StartBuilds returns at once; the images are
// read in the background), routes messages to v.Update while it is
// shown, and returns v.Close() when leaving it.
func New(c common.Common, o Options) *Model {
	m := &Model{Common: c, opts: o, expanded: map[string]bool{"": true}}
	if o.Session != nil {
		m.held.S = o.Session.Stream
	}
	return m
}

// Init waits for the comparison.
func (m *Model) Init() tea.Cmd { return m.held.Next() }

// Close cancels the session and returns the command that releases its
// images.
func (m *Model) Close() tea.Cmd { return m.held.Close() }

// Result is the comparison once done.
func (m *Model) Result() *compare.Result { return m.res }

// Typing says a prompt (the path filter) takes every key.
func (m *Model) Typing() bool { return m.filter.Active() }

// HelpBar is the help bar with the caller's keys for leaving the view
// (back, quit) after the moving keys and before the filters, which a
// narrow bar cuts first.
func (m *Model) HelpBar(leave ...key.Binding) []key.Binding {
	k := m.Keys
	bar := []key.Binding{k.Focus, k.Up, k.Down, k.Expand, k.Filter}
	bar = append(bar, leave...)
	return append(bar, k.ChangedOnly, k.Sort, k.Largest)
}

// ShortHelp is the view's help bar.
func (m *Model) ShortHelp() []key.Binding { return m.HelpBar() }

// FullHelp is the view's help shown on '?'.
func (m *Model) FullHelp() [][]key.Binding {
	k := m.Keys
	return [][]key.Binding{{k.Focus, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Expand, k.Filter, k.Back}, {k.ChangedOnly, k.Sort, k.Largest}}
}

// Err is why the comparison failed, if it did.
func (m *Model) Err() error { return m.err }
