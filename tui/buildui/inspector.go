package buildui

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/tui/imageopen"
	"github.com/buildscope/buildscope/tui/layersview"
)

// Inspection is an image opened for the inspector (imageopen).
type Inspection = imageopen.Inspection

// imageOpenedMsg carries the image opened for the inspector of
// generation gen, its analysis started, or why it could not be opened.
type imageOpenedMsg struct {
	gen   int
	title string
	infos []layers.LayerInfo
	sess  *layersview.Session
	err   error
}

// openImage is the command that opens a build's image (an engine build's
// is saved from the engine first) and starts its analysis. When ctx is
// cancelled (the inspector was left meanwhile) or the model closed, it
// releases the image itself.
func openImage(ctx context.Context, gen int, id string, open func(context.Context, string) (*Inspection, error), images *imageopen.Held) tea.Cmd {
	return func() tea.Msg {
		in, err := open(ctx, id)
		if err != nil {
			return imageOpenedMsg{gen: gen, err: err}
		}
		if ctx.Err() != nil {
			if in.Close != nil {
				in.Close()
			}
			return nil
		}
		var sess *layersview.Session
		sess = layersview.Start(ctx, gen, in.Image, func() {
			images.Remove(sess)
			if in.Close != nil {
				in.Close()
			}
		})
		if !images.Add(sess) {
			sess.Release()
			return nil
		}
		return imageOpenedMsg{gen: gen, title: in.Title, infos: in.Infos, sess: sess}
	}
}

// openInspector shows the inspector of a build's image, loading until
// the image is open; an inspector shown before is closed.
func (m *Model) openInspector(id string) tea.Cmd {
	closing := m.leaveInspector()
	m.back, m.view = m.view, viewInspect
	m.lvGen++
	ctx, cancel := context.WithCancel(m.ctx)
	m.lvCancel, m.lvErr, m.lvTitle = cancel, nil, "build:"+id
	return tea.Batch(closing, openImage(ctx, m.lvGen, id, m.opts.Inspect, &m.images))
}

// opened takes the image opened for the inspector, unless the inspector
// was left or replaced meanwhile: then the image is closed.
func (m *Model) opened(msg imageOpenedMsg) tea.Cmd {
	if msg.gen != m.lvGen || m.lvCancel == nil {
		if msg.sess != nil {
			return msg.sess.Close()
		}
		return nil
	}
	if msg.err != nil {
		m.lvErr = msg.err
		return nil
	}
	m.lv = layersview.New(m.body(), layersview.Options{Title: msg.title, Infos: msg.infos, Session: msg.sess})
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
