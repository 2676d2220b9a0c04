package common

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Screen is a view that a standalone program (buildscope inspect or
// compare on a terminal) shows full screen under a Chrome.
type Screen interface {
	// Init is the screen's first command (reading what it shows).
	Init() tea.Cmd
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	// Typing says a prompt takes every key, q and ? included.
	Typing() bool
	// HelpBar is the short help with the program's own keys in it.
	HelpBar(leave ...key.Binding) []key.Binding
	FullHelp() [][]key.Binding
}

// Chrome is what a standalone program draws around its one Screen: a
// header line, the help line (every key on '?'), the styles following the
// terminal's background, and q or ctrl+c to quit.
type Chrome struct {
	Styles   Styles
	Keys     KeyMap
	help     help.Model
	showHelp bool
	w, h     int // the terminal's size
}

// NewChrome returns the chrome with the default keys and dark styles
// until the terminal says otherwise.
func NewChrome() *Chrome {
	return &Chrome{Styles: NewStyles(true), Keys: DefaultKeyMap(), help: help.New()}
}

// Common is what the screen's model shares with the chrome.
func (c *Chrome) Common() Common { return Common{Styles: &c.Styles, Keys: &c.Keys} }

// Init adds the question of the terminal's background to the screen's
// first command.
func (c *Chrome) Init(cmd tea.Cmd) tea.Cmd { return tea.Batch(cmd, tea.RequestBackgroundColor) }

// Update takes the messages that are the program's (size, background,
// quit, help) and routes the rest to s, with the mouse's row made
// relative to the screen.
func (c *Chrome) Update(s Screen, msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.help.SetWidth(msg.Width)
		c.w, c.h = msg.Width, msg.Height
		c.resize(s)
		return nil
	case tea.BackgroundColorMsg:
		c.Styles = NewStyles(msg.IsDark())
		return nil
	case tea.KeyPressMsg:
		if !s.Typing() {
			switch {
			case key.Matches(msg, c.Keys.Quit), key.Matches(msg, c.Keys.Cancel):
				return tea.Quit
			case key.Matches(msg, c.Keys.Help):
				c.showHelp = !c.showHelp
				c.resize(s)
				return nil
			}
		}
	case tea.MouseClickMsg: // the screen starts below the header line
		m := msg.Mouse()
		m.Y--
		return s.Update(tea.MouseClickMsg(m))
	case tea.MouseWheelMsg:
		m := msg.Mouse()
		m.Y--
		return s.Update(tea.MouseWheelMsg(m))
	}
	return s.Update(msg)
}

// resize gives the screen what the header and the help leave.
func (c *Chrome) resize(s Screen) { s.SetSize(c.w, max(c.h-1-c.helpHeight(s), 1)) }

func (c *Chrome) helpHeight(s Screen) int {
	if !c.showHelp {
		return 1
	}
	n := 0
	for _, g := range FullHelp(c.help, c.w, c.fullHelp(s)) {
		if g == '\n' {
			n++
		}
	}
	return n + 1
}

func (c *Chrome) fullHelp(s Screen) [][]key.Binding {
	return append(s.FullHelp(), []key.Binding{c.Keys.Help, c.Keys.Quit})
}

// View draws the header (title in the header style, then subtitle), the
// screen and the help, full screen.
func (c *Chrome) View(s Screen, title, subtitle string) tea.View {
	var h string
	if c.showHelp {
		h = FullHelp(c.help, c.w, c.fullHelp(s))
	} else {
		keep := []key.Binding{c.Keys.Help, c.Keys.Quit}
		h = Footer(c.help, c.w, "", s.HelpBar(keep...), keep)
	}
	// the subtitle (a path, an image) gives way from the left
	subtitle = ShortenLeft(subtitle, c.w-ansi.StringWidth(title)-1)
	lines := strings.Split(c.Styles.Header.Render(title)+" "+subtitle+"\n"+s.View()+"\n"+h, "\n")
	v := tea.NewView(Frame(lines, c.w, max(c.h, 1)))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	return v
}
