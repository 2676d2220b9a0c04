package buildui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/trace"
	"github.com/buildscope/buildscope/tui/cacheview"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/diffview"
	"github.com/buildscope/buildscope/tui/stagesview"
	"github.com/buildscope/buildscope/tui/timeline"
)

// viewKey handles the keys that switch views; ok says it did.
func (m *Model) viewKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	if m.view == viewInspect && m.lv != nil && m.lv.Typing() {
		return m.lv.Update(msg), true // the path filter takes every key
	}
	if why, ok := m.refuse(msg); ok && !m.search.Active {
		m.note = why
		return nil, true
	}
	if m.view != viewInspect || m.lv == nil || !m.lv.Typing() {
		for _, b := range m.viewKeys() {
			if key.Matches(msg, b) {
				if ok, why := m.offer(b); !ok {
					m.note = why
					return nil, true
				}
			}
		}
	}
	switch {
	case key.Matches(msg, k.Back) && m.view == viewInspect:
		return m.show(m.back), true
	case key.Matches(msg, k.Back) && m.view != viewBuild:
		return m.show(viewBuild), true
	case key.Matches(msg, k.Inspect) && m.view != viewInspect:
		return m.openInspector(m.build.ID), true
	case key.Matches(msg, k.Open) && m.view == viewStages && m.opts.Inspect != nil:
		if st, ok := m.stagesView().Selected(); ok {
			return m.openInspector(st.BuildID), true
		}
		return nil, true
	case key.Matches(msg, k.Cache):
		closing := m.show(viewCache)
		if m.why == nil && m.whyErr == nil {
			return tea.Batch(closing, m.explain()), true
		}
		return closing, true
	case key.Matches(msg, k.Stages):
		return tea.Batch(m.show(viewStages), m.measureStages()), true
	case key.Matches(msg, k.Diff):
		return tea.Batch(m.show(viewDiff), m.runDiff()), true
	case key.Matches(msg, k.Timeline) && m.view != viewInspect && m.view != viewTimeline:
		return m.show(viewTimeline), true
	}
	if m.view != viewBuild {
		switch {
		case key.Matches(msg, k.Quit):
			return m.quit(), true
		case key.Matches(msg, k.Cancel):
			return m.cancel(), true
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

// show switches to view v; leaving the inspector closes it, and the
// command returned releases its image.
func (m *Model) show(v view) tea.Cmd {
	var cmd tea.Cmd
	if m.view == viewInspect && v != viewInspect {
		cmd = m.leaveInspector()
	}
	m.view = v
	return cmd
}

// body is the size and styles of a view below the header.
func (m *Model) body() common.Common {
	return common.Common{Width: m.Width, Height: max(m.Height-1-m.helpHeight(), 1), Styles: &m.styles, Keys: &m.keys}
}

// subUpdate routes a key to the view shown.
func (m *Model) subUpdate(msg tea.Msg) (tea.Cmd, bool) {
	switch m.view {
	case viewCache:
		m.cacheView().Update(msg)
	case viewStages:
		m.stagesView().Update(msg)
	case viewDiff:
		m.diffView().Update(msg)
	case viewTimeline:
		m.timelineView().Update(msg)
	case viewInspect:
		if m.lv != nil {
			return m.lv.Update(msg), true
		}
	}
	return nil, true
}

// settle brings up to date, after each message, what the screen derives
// from the model: the sizes of the panes and sub-views, and the sub-view
// shown (made, or remade when its data changed). Render only reads them.
func (m *Model) settle() {
	g := m.geometry()
	m.logv.SetSize(m.Width, g.logsH-g.errH)
	switch m.view {
	case viewCache:
		m.cacheView()
	case viewStages:
		m.stagesView()
	case viewDiff:
		m.diffView()
	case viewTimeline:
		m.timelineView()
	}
	body := m.body()
	if m.cv != nil {
		m.cv.Common = body
	}
	if m.sv != nil {
		m.sv.Common = body
	}
	if m.dv != nil {
		m.dv.Common = body
	}
	if m.tv != nil {
		m.tv.Common = body
	}
	if m.lv != nil {
		m.lv.Common = body
	}
}

// cacheView, stagesView and diffView are the views of the finished
// build, kept (with their selection) until their data changes. They are
// made in Update (settle, or a key routed to them), never in Render.
func (m *Model) cacheView() *cacheview.Model {
	if m.cv == nil || m.cvFor != m.why {
		m.cv, m.cvFor = cacheview.New(m.body(), m.build, m.why, m.whyErr), m.why
	}
	return m.cv
}

func (m *Model) stagesView() *stagesview.Model {
	if m.sv == nil || m.svFor != m.stages {
		m.sv, m.svFor = stagesview.New(m.body(), m.stages, m.stagesErr), m.stages
	}
	return m.sv
}

// timelineKey is what a timeline is laid out from: the vertices so far
// and the build they belong to (the record, once the build is over).
type timelineKey struct {
	vertices int
	build    *model.Build
}

// timelineView lays the timeline out again, critical path included, when
// vertices arrived or the build changed since: once per batch of events
// while it is shown (a live build's grows), never per frame.
func (m *Model) timelineView() *timeline.Model {
	key := timelineKey{len(m.vertices), m.build}
	if m.tv == nil || m.tvFor != key {
		var tl *trace.Timeline
		if len(m.vertices) > 0 {
			tl = m.newTimeline(m.build.ID, []*client.SolveStatus{{Vertexes: m.vertices}}, m.build)
		}
		if m.tv == nil {
			m.tv = timeline.New(m.body(), tl)
		} else {
			m.tv.SetTimeline(tl)
		}
		m.tvFor = key
	}
	return m.tv
}

func (m *Model) diffView() *diffview.Model {
	if m.dv == nil || (m.diff != nil || m.diffErr != nil) && !m.dvLoaded {
		m.dv = diffview.New(m.body(), "the image's command", m.diff, m.diffErr)
		m.dvLoaded = m.diff != nil || m.diffErr != nil
	}
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
