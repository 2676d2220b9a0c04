package common

import tea "charm.land/bubbletea/v2"

// App is a standalone program of one Screen (buildscope inspect or
// compare on a terminal): the screen full screen under a Chrome's header
// and help line.
type App[S Screen] struct {
	// Screen is the program's one view.
	Screen          S
	chrome          *Chrome
	title, subtitle string
}

// NewApp returns the program showing the screen newScreen makes with the
// chrome's styles and keys, under a header of title (in the header
// style) and subtitle.
func NewApp[S Screen](title, subtitle string, newScreen func(Common) S) *App[S] {
	c := NewChrome()
	return &App[S]{Screen: newScreen(c.Common()), chrome: c, title: title, subtitle: subtitle}
}

// Init runs the screen's first command and asks the terminal's
// background.
func (a *App[S]) Init() tea.Cmd { return a.chrome.Init(a.Screen.Init()) }

// Update routes messages; q and ctrl+c quit (unless typed into a
// prompt), ? shows every key.
func (a *App[S]) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	return a, a.chrome.Update(a.Screen, msg)
}

// View draws the program full screen.
func (a *App[S]) View() tea.View { return a.chrome.View(a.Screen, a.title, a.subtitle) }
