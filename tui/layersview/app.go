package layersview

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/tui/common"
)

// App is the standalone inspector program (buildscope inspect on a
// terminal): the inspector under a header and a help line.
type App struct {
	*Model
	styles common.Styles
	keys   common.KeyMap
	help   help.Model
}

// NewApp returns the program model for the image of o.Session, whose
// analysis it shows as it streams in.
func NewApp(o Options) *App {
	a := &App{styles: common.NewStyles(true), keys: common.DefaultKeyMap(), help: help.New()}
	a.Model = New(common.Common{Styles: &a.styles, Keys: &a.keys}, o)
	return a
}

// Init reads the analysis and asks the terminal's background.
func (a *App) Init() tea.Cmd { return tea.Batch(a.Model.Init(), tea.RequestBackgroundColor) }

// Update routes messages; q and ctrl+c quit (unless typed into the
// filter).
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.SetSize(msg.Width, max(msg.Height-2, 1))
		a.help.SetWidth(msg.Width)
		return a, nil
	case tea.BackgroundColorMsg:
		a.styles = common.NewStyles(msg.IsDark())
		return a, nil
	case tea.KeyPressMsg:
		if !a.Typing() && (key.Matches(msg, a.Keys.Quit) || key.Matches(msg, a.Keys.Cancel)) {
			return a, tea.Quit
		}
	case tea.MouseClickMsg: // the view starts below the header line
		m := msg.Mouse()
		m.Y--
		return a, a.Model.Update(tea.MouseClickMsg(m))
	case tea.MouseWheelMsg:
		m := msg.Mouse()
		m.Y--
		return a, a.Model.Update(tea.MouseWheelMsg(m))
	}
	return a, a.Model.Update(msg)
}

// View draws the inspector full screen.
func (a *App) View() tea.View {
	head := a.styles.Header.Render("buildscope inspect") + " " + a.opts.Title
	h := a.help.ShortHelpView(a.HelpBar(a.Keys.Quit))
	v := tea.NewView(ansi.Truncate(head, a.Width, "…") + "\n" + a.Model.View() + "\n" + ansi.Truncate(h, a.Width, "…"))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}
