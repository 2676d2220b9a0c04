package buildui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/tui/imageopen"
	"github.com/buildscope/buildscope/tui/inspectopen"
	"github.com/buildscope/buildscope/tui/layersview"
)

// Inspection is an image opened for the inspector (imageopen).
type Inspection = imageopen.Inspection

// openInspector shows the inspector of a build's image, loading until
// the image is open; an inspector shown before is closed.
func (m *Model) openInspector(id string) tea.Cmd {
	closing := m.leaveInspector()
	m.back, m.view = m.view, viewInspect
	m.lvGen++
	ctx, cancel := context.WithCancel(m.ctx)
	m.lvCancel, m.lvErr, m.lvTitle = cancel, nil, "build:"+id
	return tea.Batch(closing, inspectopen.Open(ctx, m.lvGen, id, m.opts.Inspect, &m.images))
}

// opened takes the image opened for the inspector, unless the inspector
// was left or replaced meanwhile: then the image is closed.
func (m *Model) opened(msg inspectopen.Msg) tea.Cmd {
	if msg.Gen != m.lvGen || m.lvCancel == nil {
		if msg.Sess != nil {
			return msg.Sess.Close()
		}
		return nil
	}
	if msg.Err != nil {
		m.lvErr = msg.Err
		return nil
	}
	m.lv = layersview.New(m.body(), layersview.Options{Title: msg.Title, Infos: msg.Infos, Session: msg.Sess})
	return m.lv.Init()
}

// leaveInspector cancels the inspector's work (the image being opened or
// analysed) and returns the command that closes its image.
func (m *Model) leaveInspector() tea.Cmd {
	if m.lvCancel != nil {
		m.lvCancel()
		m.lvCancel = nil
	}
	var cmd tea.Cmd
	if m.lv != nil {
		cmd = m.lv.Close()
		m.lv = nil
	}
	return cmd
}

// Close stops the views' work (measuring stages, running a diff) and
// releases what they hold open (the inspector's image, its temp files),
// waiting until it is released. The program calls it once it has ended,
// outside Update.
func (m *Model) Close() {
	m.stop()
	if cmd := m.leaveInspector(); cmd != nil {
		cmd()
	}
	m.images.ReleaseAll()
}
