// Package home is the history list buildscope opens with no arguments on
// a terminal: running builds on top, then buildscope's and the builder's
// own builds with status, duration, cached/total and who made them. Enter
// replays a build, i inspects its image, c shows why it ran what it ran,
// a attaches to a running one, / filters, and two marked builds open a
// comparison.
package home

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/cacheview"
	"github.com/buildscope/buildscope/tui/common"
)

// ChoiceKind is what the user picked that another UI shows.
type ChoiceKind int

// The choices the list hands back to its caller (Model.Choice).
const (
	ChoiceNone    ChoiceKind = iota // q: leave
	ChoiceReplay                    // enter: replay the build in the build UI
	ChoiceInspect                   // i: inspect the build's image
	ChoiceAttach                    // a: attach to the running build
	// ChoiceCompare: two builds were marked; the caller opens the compare
	// view on Rows[0] (A, marked first) and Rows[1] (B).
	ChoiceCompare
)

// Choice is what the list quit for: the caller opens it, then the list
// again.
type Choice struct {
	Kind ChoiceKind
	Rows []model.HistoryRow
}

// Options configure the list.
type Options struct {
	// Title names what is listed (the builder).
	Title string
	// Load reads the list; it runs in a command.
	Load func(ctx context.Context) ([]model.HistoryRow, error)
	// Explain explains a build's cache misses for the c view; it runs in
	// a command (nil: no c).
	Explain func(ctx context.Context, row model.HistoryRow) (*model.Build, *why.Explanation, error)
	// Refresh is how often the list is read again while a build runs
	// (0: every 2s).
	Refresh time.Duration
	// Now is the clock (tests fix it).
	Now func() time.Time
	// Context bounds the commands' work.
	Context context.Context
	// Dark picks the dark styles.
	Dark bool
	// Notice is shown on the status line until a key is pressed: what
	// came of the last choice (an error opening it).
	Notice string
	// Select is the ID of the build selected once the list is read, and
	// Filter the filter in force: where the user was when the list quit
	// for a choice.
	Select, Filter string
}

// Model is the history list.
type Model struct {
	common.Common
	o       Options
	help    help.Model
	rows    []model.HistoryRow
	shown   []int // indexes into rows that match the filter
	sel     int
	marked  []string // IDs, in marking order
	filter  common.Input
	applied string // the filter in force
	err     error
	notice  string
	loaded  bool
	gen     int // generation of the list's loads: older answers are dropped
	whyGen  int // generation of the why view: older answers are dropped
	why     *cacheview.Model
	whyOf   string
	choice  Choice
	now     time.Time // the clock as of the last message: running builds' durations
	styles  common.Styles
	keys    common.KeyMap
}

// New returns the list; Init loads it.
func New(o Options) *Model {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Refresh == 0 {
		o.Refresh = 2 * time.Second
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	m := &Model{o: o, help: help.New(), styles: common.NewStyles(o.Dark), keys: common.DefaultKeyMap(), notice: o.Notice, applied: o.Filter}
	m.Common = common.Common{Width: 80, Height: 24, Styles: &m.styles, Keys: &m.keys}
	m.now = o.Now()
	return m
}

// Choice is what the user picked when the program quit.
func (m *Model) Choice() Choice { return m.choice }

// Filter is the filter in force.
func (m *Model) Filter() string { return m.applied }

// loadedMsg is a read of the list, for load generation gen.
type loadedMsg struct {
	gen  int
	rows []model.HistoryRow
	err  error
}

// tickMsg asks for a new read while builds run.
type tickMsg struct{ gen int }

// explainedMsg is the why of one build, for why generation gen.
type explainedMsg struct {
	gen   int
	build *model.Build
	ex    *why.Explanation
	err   error
}

// Init loads the list.
func (m *Model) Init() tea.Cmd { return m.load() }

// load reads the list in a command, as a new generation.
func (m *Model) load() tea.Cmd {
	m.gen++
	gen, load, ctx := m.gen, m.o.Load, m.o.Context
	return func() tea.Msg {
		rows, err := load(ctx)
		return loadedMsg{gen: gen, rows: rows, err: err}
	}
}

// explain reads the why of row in a command.
func (m *Model) explain(row model.HistoryRow) tea.Cmd {
	m.whyGen++
	gen, explain, ctx := m.whyGen, m.o.Explain, m.o.Context
	return func() tea.Msg {
		b, ex, err := explain(ctx, row)
		return explainedMsg{gen: gen, build: b, ex: ex, err: err}
	}
}

// Selected is the selected row, if any.
func (m *Model) Selected() (model.HistoryRow, bool) {
	if m.sel < 0 || m.sel >= len(m.shown) {
		return model.HistoryRow{}, false
	}
	return m.rows[m.shown[m.sel]], true
}

// refilter recomputes the rows shown, keeping the selected build
// selected when it is still shown.
func (m *Model) refilter() {
	cur, had := m.Selected()
	m.shown = m.shown[:0]
	for i, r := range m.rows {
		if r.Matches(m.applied) {
			m.shown = append(m.shown, i)
		}
	}
	m.sel = min(m.sel, max(len(m.shown)-1, 0))
	if had {
		for k, i := range m.shown {
			if m.rows[i].ID == cur.ID {
				m.sel = k
			}
		}
	}
}
