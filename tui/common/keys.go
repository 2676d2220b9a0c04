package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is every key the UI answers to, in every view, with its help
// text; each view builds its help from it.
type KeyMap struct {
	Up, Down, Left, Right, Focus  key.Binding
	PageUp, PageDown, Top, Bottom key.Binding
	Follow, Search, Next, Prev    key.Binding
	Help, Quit, Cancel            key.Binding
	Cache, Stages, Diff, Inspect  key.Binding
	Timeline, ZoomIn, ZoomOut     key.Binding
	Open, Back                    key.Binding
	// the inspector's
	Expand, Filter, LayerMode, ChangedOnly key.Binding
	Sort, Largest, Preview                 key.Binding
	// the history list's (home screen)
	Replay, Attach, Mark, FilterList key.Binding
}

// DefaultKeyMap returns the keys.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		Left:     b("←/h", "prev stage", "left", "h"),
		Right:    b("→/l", "next stage", "right", "l"),
		Focus:    b("tab", "switch pane", "tab"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+d"),
		Top:      b("g", "top", "g", "home"),
		Bottom:   b("G", "bottom", "G", "end"),
		Follow:   b("f", "follow logs", "f"),
		Search:   b("/", "search logs", "/"),
		Next:     b("n", "next match", "n"),
		Prev:     b("N", "prev match", "N"),
		Help:     b("?", "help", "?"),
		Quit:     b("q", "quit", "q"),
		Cancel:   b("ctrl+c", "cancel build", "ctrl+c"),
		Cache:    b("c", "why steps ran", "c"),
		Stages:   b("s", "stage sizes", "s"),
		Diff:     b("d", "diff a run", "d"),
		Inspect:  b("i", "layers", "i"),
		Timeline: b("t", "timeline", "t"),
		ZoomIn:   b("+", "zoom in", "+", "="),
		ZoomOut:  b("-", "zoom out", "-"),
		Open:     b("enter", "open", "enter"),
		Back:     b("esc", "back", "esc"),

		Expand:      b("enter", "expand", "enter", "space"),
		Filter:      b("/", "filter paths", "/"),
		LayerMode:   b("a", "layer/aggregated", "a"),
		ChangedOnly: b("u", "changed only", "u"),
		Sort:        b("o", "sort", "o"),
		Largest:     b("L", "largest", "L"),
		Preview:     b("p", "preview", "p"),

		Replay:     b("enter", "replay", "enter"),
		Attach:     b("a", "attach", "a"),
		Mark:       b("space", "mark (two: compare)", "space"),
		FilterList: b("/", "filter", "/"),
	}
}

// ShortHelp is the help bar of the build view.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Focus, k.Up, k.Down, k.Follow, k.Search, k.Help, k.Timeline, k.Quit}
}

// FullHelp is the build view's help shown on '?'.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Focus},
		{k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Follow, k.Search, k.Next, k.Prev},
		{k.Cache, k.Stages, k.Diff, k.Inspect, k.Timeline, k.Back},
		{k.Help, k.Quit, k.Cancel},
	}
}

// Bindings are a view's keys grouped for help: the short help is every
// group on one line, the full help one column per group.
type Bindings [][]key.Binding

// ShortHelp is every binding, in order.
func (b Bindings) ShortHelp() []key.Binding {
	var out []key.Binding
	for _, g := range b {
		out = append(out, g...)
	}
	return out
}

// FullHelp is the groups.
func (b Bindings) FullHelp() [][]key.Binding { return b }

// MoveSelection moves a list selection sel among n rows by the up, down,
// top and bottom keys; ok says k was one of them.
func (k KeyMap) MoveSelection(msg tea.KeyPressMsg, sel, n int) (int, bool) {
	switch {
	case key.Matches(msg, k.Up):
		return max(sel-1, 0), true
	case key.Matches(msg, k.Down):
		return min(sel+1, max(n-1, 0)), true
	case key.Matches(msg, k.Top):
		return 0, true
	case key.Matches(msg, k.Bottom):
		return max(n-1, 0), true
	}
	return sel, false
}
