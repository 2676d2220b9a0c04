package layersview

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/common"
)

// Analyze runs the analysis of img in the background and streams its
// progress as LayerMsg and then DoneMsg, through the returned command
// (re-armed by App after each message).
func Analyze(ctx context.Context, img v1.Image) (start tea.Cmd, next func() tea.Cmd) {
	ch := make(chan tea.Msg, 16)
	wait := func() tea.Cmd {
		return func() tea.Msg {
			msg, ok := <-ch
			if !ok {
				return nil
			}
			return msg
		}
	}
	start = func() tea.Msg {
		go func() {
			defer close(ch)
			a, err := layers.Analyze(ctx, img, layers.Options{OnLayer: func(l *layers.Layer) { ch <- LayerMsg{l} }})
			ch <- DoneMsg{a, err}
		}()
		return (wait())()
	}
	return start, wait
}

// App is the standalone inspector program (buildscope inspect on a
// terminal): the inspector under a header and a help line.
type App struct {
	*Model
	styles common.Styles
	help   help.Model
	start  tea.Cmd
	next   func() tea.Cmd
}

// NewApp returns the program model; start and next come from Analyze.
func NewApp(o Options, start tea.Cmd, next func() tea.Cmd) *App {
	a := &App{styles: common.NewStyles(true), help: help.New(), start: start, next: next}
	a.Model = New(common.Common{Styles: &a.styles}, common.DefaultKeyMap(), o)
	return a
}

// Init starts the analysis and asks the terminal's background.
func (a *App) Init() tea.Cmd { return tea.Batch(a.start, tea.RequestBackgroundColor) }

// Update routes messages; q quits.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.SetSize(msg.Width, max(msg.Height-2, 1))
		a.help.SetWidth(msg.Width)
		return a, nil
	case tea.BackgroundColorMsg:
		a.styles = common.NewStyles(msg.IsDark())
		return a, nil
	case LayerMsg, DoneMsg:
		a.Model.Update(msg)
		return a, a.next()
	case tea.KeyPressMsg:
		if !a.filterIn.Active && (msg.String() == "q" || msg.String() == "ctrl+c") {
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
	keys := a.Keys
	h := a.help.ShortHelpView([]key.Binding{keys.Focus, keys.Up, keys.Down, keys.Search, keys.Quit})
	v := tea.NewView(ansi.Truncate(head, a.Width, "…") + "\n" + a.Model.View() + "\n" + ansi.Truncate(h+"  enter expand · a layer/aggregated · u changed only · o sort · L largest · p preview", a.Width, "…"))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}
