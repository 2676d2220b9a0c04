package layersview

import (
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/tui/common"
)

// App is the standalone inspector program (buildscope inspect on a
// terminal): the inspector under a header and a help line.
type App struct {
	*Model
	chrome *common.Chrome
}

// NewApp returns the program model for the image of o.Session, whose
// analysis it shows as it streams in.
func NewApp(o Options) *App {
	c := common.NewChrome()
	return &App{Model: New(c.Common(), o), chrome: c}
}

// Init reads the analysis and asks the terminal's background.
func (a *App) Init() tea.Cmd { return a.chrome.Init(a.Model.Init()) }

// Update routes messages; q and ctrl+c quit (unless typed into the
// filter), ? shows every key.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return a, a.chrome.Update(a.Model, msg) }

// View draws the inspector full screen.
func (a *App) View() tea.View { return a.chrome.View(a.Model, "buildscope inspect", a.opts.Title) }
