package compareview

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// App is the standalone comparison program (buildscope compare on a
// terminal): the view under a header and a help line.
type App struct {
	*Model
	styles   common.Styles
	keys     common.KeyMap
	help     help.Model
	showHelp bool
	w, h     int // the terminal's size
}

// NewApp returns the program model for the comparison of o.Session.
func NewApp(o Options) *App {
	a := &App{styles: common.NewStyles(true), keys: common.DefaultKeyMap(), help: help.New()}
	a.Model = New(common.Common{Styles: &a.styles, Keys: &a.keys}, o)
	return a
}

// Init waits for the comparison and asks the terminal's background.
func (a *App) Init() tea.Cmd { return tea.Batch(a.Model.Init(), tea.RequestBackgroundColor) }

// Update routes messages; q and ctrl+c quit (unless typed into the
// filter), ? shows every key.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.help.SetWidth(msg.Width)
		a.w, a.h = msg.Width, msg.Height
		a.resize()
		return a, nil
	case tea.BackgroundColorMsg:
		a.styles = common.NewStyles(msg.IsDark())
		return a, nil
	case tea.KeyPressMsg:
		if !a.Typing() {
			switch {
			case key.Matches(msg, a.Keys.Quit), key.Matches(msg, a.Keys.Cancel):
				return a, tea.Quit
			case key.Matches(msg, a.Keys.Help):
				a.showHelp = !a.showHelp
				a.resize()
				return a, nil
			}
		}
	}
	return a, a.Model.Update(msg)
}

// resize gives the view what the header and the help leave.
func (a *App) resize() {
	a.SetSize(a.w, max(a.h-1-a.helpHeight(), 1))
}

func (a *App) helpHeight() int {
	if a.showHelp {
		n := 0
		for _, g := range a.FullHelp() {
			n = max(n, len(g))
		}
		return n
	}
	return 1
}

// View draws the comparison full screen.
func (a *App) View() tea.View {
	head := a.styles.Header.Render("buildscope compare") + " " + model.Printable(a.opts.A) + " → " + model.Printable(a.opts.B)
	var h string
	if a.showHelp {
		h = a.help.FullHelpView(append(a.FullHelp(), []key.Binding{a.Keys.Help, a.Keys.Quit}))
	} else {
		h = a.help.ShortHelpView(a.HelpBar(a.Keys.Help, a.Keys.Quit))
	}
	lines := strings.Split(head+"\n"+a.Model.View()+"\n"+h, "\n")
	lines = lines[:min(len(lines), max(a.h, 1))]
	for i := range lines {
		lines[i] = ansi.Truncate(lines[i], a.w, "…")
	}
	v := tea.NewView(strings.Join(lines, "\n"))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}
