package common

import "charm.land/bubbles/v2/key"

// KeyMap is every key the UI answers to, with its help text.
type KeyMap struct {
	Up, Down, Left, Right, Focus  key.Binding
	PageUp, PageDown, Top, Bottom key.Binding
	Follow, Search, Next, Prev    key.Binding
	Help, Quit, Cancel            key.Binding
	Cache, Stages, Diff, Inspect  key.Binding
	Back                          key.Binding
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
		Back:     b("esc", "back", "esc"),
	}
}

// ShortHelp is the help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Focus, k.Up, k.Down, k.Follow, k.Search, k.Help, k.Quit}
}

// FullHelp is the help shown on '?'.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.Left, k.Right, k.Focus},
		{k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Follow, k.Search, k.Next, k.Prev},
		{k.Cache, k.Stages, k.Diff, k.Inspect, k.Back},
		{k.Help, k.Quit, k.Cancel},
	}
}
