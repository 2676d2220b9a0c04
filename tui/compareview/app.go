package compareview

import (
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// App is the standalone comparison program (buildscope compare on a
// terminal): the view under a header and a help line.
type App struct {
	*Model
	chrome *common.Chrome
}

// NewApp returns the program model for the comparison of o.Session.
func NewApp(o Options) *App {
	c := common.NewChrome()
	return &App{Model: New(c.Common(), o), chrome: c}
}

// Init waits for the comparison and asks the terminal's background.
func (a *App) Init() tea.Cmd { return a.chrome.Init(a.Model.Init()) }

// Update routes messages; q and ctrl+c quit (unless typed into the
// filter), ? shows every key.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return a, a.chrome.Update(a.Model, msg) }

// View draws the comparison full screen.
func (a *App) View() tea.View {
	return a.chrome.View(a.Model, "buildscope compare", model.Printable(a.opts.A)+" → "+model.Printable(a.opts.B))
}
