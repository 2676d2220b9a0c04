package home

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/tui/cacheview"
	"github.com/buildscope/buildscope/tui/common"
)

// Update handles keys, sizes and the answers of its commands. It reads
// the clock for the durations of running builds, so that View does not.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.now = m.o.Now()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		m.help.SetWidth(msg.Width)
		if m.why != nil {
			m.why.SetSize(msg.Width, m.bodyHeight())
		}
	case tea.BackgroundColorMsg:
		m.styles = common.NewStyles(msg.IsDark())
	case loadedMsg:
		if msg.gen != m.gen {
			return m, nil // an older read, overtaken
		}
		first := !m.loaded
		m.loaded, m.err = true, msg.err
		if msg.err == nil {
			m.rows = msg.rows
			m.refilter()
			m.dropGoneMarks()
			if first && m.o.Select != "" {
				m.selectID(m.o.Select)
			}
		}
		if m.anyRunning() {
			gen := m.gen
			return m, tea.Tick(m.o.Refresh, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
		}
	case tickMsg:
		if msg.gen == m.gen {
			return m, m.load()
		}
	case explainedMsg:
		if msg.gen != m.whyGen || m.why == nil {
			return m, nil // left, or another build's why asked since
		}
		c := m.Common
		c.Height = m.bodyHeight()
		m.why = cacheview.New(c, msg.build, msg.ex, msg.err)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// key handles a key press.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.Keys
	m.notice = ""
	if msg.String() == "ctrl+c" {
		m.choice = Choice{}
		return tea.Quit
	}
	if m.filter.Active {
		m.filter.Key(msg)
		m.applied = m.filter.Text
		m.refilter()
		return nil
	}
	if m.why != nil {
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Cache):
			m.why = nil
			m.whyGen++
		case key.Matches(msg, k.Quit):
			m.choice = Choice{}
			return tea.Quit
		default:
			m.why.Update(msg)
		}
		return nil
	}
	if sel, ok := k.MoveSelection(msg, m.sel, len(m.shown)); ok {
		m.sel = sel
		return nil
	}
	if why, ok := m.refusal(msg); ok {
		m.notice = why
		return nil
	}
	row, has := m.Selected()
	switch {
	case key.Matches(msg, k.Quit):
		m.choice = Choice{}
		return tea.Quit
	case key.Matches(msg, k.Back):
		m.applied, m.marked = "", nil
		m.refilter()
	case key.Matches(msg, k.FilterList):
		m.filter.Start()
		m.filter.Text = m.applied
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
	case !has:
	case key.Matches(msg, k.Replay):
		if row.Running() {
			return m.quitWith(ChoiceAttach)
		}
		return m.quitWith(ChoiceReplay)
	case key.Matches(msg, k.Inspect) && !row.Running():
		return m.quitWith(ChoiceInspect)
	case key.Matches(msg, k.Attach) && row.Running():
		return m.quitWith(ChoiceAttach)
	case key.Matches(msg, k.Cache) && m.o.Explain != nil && !row.Running():
		c := m.Common
		c.Height = m.bodyHeight()
		m.why = cacheview.New(c, nil, nil, nil) // "explaining…" until it comes
		m.whyOf = row.ID
		return m.explain(row)
	case key.Matches(msg, k.Mark) && !row.Running():
		return m.toggleMark(row.ID)
	}
	return nil
}

// quitWith quits, handing the selected row to the caller.
func (m *Model) quitWith(kind ChoiceKind) tea.Cmd {
	row, _ := m.Selected()
	m.choice = Choice{Kind: kind, Rows: append(m.choice.Rows[:0:0], row)}
	return tea.Quit
}

// toggleMark marks or unmarks a build; the second mark opens compare.
func (m *Model) toggleMark(id string) tea.Cmd {
	if i := slices.Index(m.marked, id); i >= 0 {
		m.marked = slices.Delete(m.marked, i, i+1)
		return nil
	}
	m.marked = append(m.marked, id)
	if len(m.marked) < 2 {
		return nil
	}
	m.choice = Choice{Kind: ChoiceCompare}
	for _, id := range m.marked {
		for _, r := range m.rows {
			if r.ID == id {
				m.choice.Rows = append(m.choice.Rows, r)
			}
		}
	}
	m.marked = nil
	return tea.Quit
}

// dropGoneMarks forgets marks of builds no longer listed.
func (m *Model) dropGoneMarks() {
	m.marked = slices.DeleteFunc(m.marked, func(id string) bool {
		return !slices.ContainsFunc(m.rows, func(r modelRow) bool { return r.ID == id })
	})
}

func (m *Model) anyRunning() bool {
	return slices.ContainsFunc(m.rows, func(r modelRow) bool { return r.Running() })
}

// selectID selects the shown build with this ID, if it is shown.
func (m *Model) selectID(id string) {
	for k, i := range m.shown {
		if m.rows[i].ID == id {
			m.sel = k
		}
	}
}
