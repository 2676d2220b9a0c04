package buildui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/cacheview"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/diffview"
	"github.com/buildscope/buildscope/tui/layersview"
	"github.com/buildscope/buildscope/tui/stagesview"
)

// whyMsg carries the explanation of the finished build.
type whyMsg struct {
	ex  *model.Explanation
	err error
}

// stagesMsg carries the measured stages.
type stagesMsg struct {
	rep *model.StageReport
	err error
}

// diffMsg carries what the image's command wrote.
type diffMsg struct {
	changes []cdiff.Change
	err     error
}

func (m *Model) runDiff() tea.Cmd {
	if m.opts.Diff == nil || m.diffBusy || m.diff != nil || m.diffErr != nil {
		return nil
	}
	m.diffBusy = true
	f, b := m.opts.Diff, m.build
	return func() tea.Msg {
		ch, err := f(b)
		if err == nil && ch == nil {
			ch = []cdiff.Change{}
		}
		return diffMsg{ch, err}
	}
}

// explain asks for the explanation of the finished build.
func (m *Model) explain() tea.Cmd {
	if m.opts.Why == nil || m.build == nil || m.build.ID == "" {
		return nil
	}
	why, b := m.opts.Why, m.build
	return func() tea.Msg {
		ex, err := why(b)
		return whyMsg{ex, err}
	}
}

func (m *Model) measureStages() tea.Cmd {
	if m.opts.Stages == nil || m.stagesBusy || m.stages != nil {
		return nil
	}
	m.stagesBusy = true
	f := m.opts.Stages
	return func() tea.Msg {
		rep, err := f()
		return stagesMsg{rep, err}
	}
}

// viewKey handles the keys that switch views; ok says it did.
func (m *Model) viewKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Back) && m.view == viewInspect:
		m.view = m.back
		return nil, true
	case key.Matches(msg, k.Back) && m.view != viewBuild:
		m.view = viewBuild
		return nil, true
	case key.Matches(msg, k.Inspect) && m.done && m.opts.Inspect != nil && m.view == viewBuild && m.build.Result != nil:
		return m.openInspector(m.build.ID), true
	case msg.String() == "enter" && m.view == viewStages && m.opts.Inspect != nil:
		if st, ok := m.stagesView().Selected(); ok {
			return m.openInspector(st.BuildID), true
		}
		return nil, true
	case key.Matches(msg, k.Cache) && m.done && m.opts.Why != nil:
		m.view = viewCache
		if m.why == nil && m.whyErr == nil {
			return m.explain(), true
		}
		return nil, true
	case key.Matches(msg, k.Stages) && m.done && m.opts.Stages != nil:
		m.view = viewStages
		return m.measureStages(), true
	case key.Matches(msg, k.Diff) && m.done && m.opts.Diff != nil && m.build.Result != nil:
		m.view = viewDiff
		return m.runDiff(), true
	}
	if m.view != viewBuild {
		switch {
		case key.Matches(msg, k.Quit), key.Matches(msg, k.Cancel):
			return tea.Quit, true
		case key.Matches(msg, k.Help):
			return nil, false
		}
		if cmd, ok := m.subUpdate(msg); ok {
			return cmd, true
		}
		return nil, true
	}
	return nil, false
}

func (m *Model) body() common.Common {
	return common.Common{Width: m.Width, Height: max(m.Height-2, 1), Styles: &m.styles}
}

// openInspector opens a build's image in the inspector and starts its
// analysis.
func (m *Model) openInspector(id string) tea.Cmd {
	m.back, m.view = m.view, viewInspect
	in, err := m.opts.Inspect(id)
	if err != nil {
		m.lv, m.lvErr = nil, err
		return nil
	}
	m.lvErr = nil
	m.lv = layersview.New(m.body(), m.keys, layersview.Options{Title: in.Title, Infos: in.Infos, Preview: in.Preview})
	m.lvNext = in.Next
	return in.Start
}

func (m *Model) subUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch m.view {
	case viewCache:
		m.cacheView().Update(msg)
	case viewStages:
		m.stagesView().Update(msg)
	case viewDiff:
		m.diffView().Update(msg)
	case viewInspect:
		if m.lv != nil {
			return m.lv.Update(msg), true
		}
	}
	return nil, true
}

// The sub-views keep their selection across frames.
func (m *Model) cacheView() *cacheview.Model {
	if m.cv == nil || m.cvFor != m.why {
		m.cv, m.cvFor = cacheview.New(m.body(), m.keys, m.build, m.why, m.whyErr), m.why
	}
	m.cv.Common = m.body()
	return m.cv
}

func (m *Model) stagesView() *stagesview.Model {
	if m.sv == nil || m.svFor != m.stages {
		m.sv, m.svFor = stagesview.New(m.body(), m.keys, m.stages, m.stagesErr), m.stages
	}
	m.sv.Common = m.body()
	return m.sv
}

func (m *Model) diffView() *diffview.Model {
	if m.dv == nil || (m.diff != nil || m.diffErr != nil) && !m.dvLoaded {
		m.dv = diffview.New(m.body(), m.keys, "the image's command", m.diff, m.diffErr)
		m.dvLoaded = m.diff != nil || m.diffErr != nil
	}
	m.dv.Common = m.body()
	return m.dv
}

// reasonTag is the short reason a step missed, when the build is explained.
func (m *Model) reasonTag(st model.Step) (string, bool) {
	if m.why == nil || st.Cached {
		return "", false
	}
	for _, mi := range m.why.Misses {
		if mi.Step == st.Name {
			return cacheview.Short[mi.Reason], true
		}
	}
	return "", false
}
