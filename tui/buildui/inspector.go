package buildui

import (
	"context"
	"fmt"
	"sync"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/tui/layersview"
)

// Inspection is an image opened for the inspector.
type Inspection struct {
	Title string
	// Infos are its layers as its manifest lists them.
	Infos []layers.LayerInfo
	Image v1.Image
	// Close releases the image (the temp file of an engine save); nil
	// when there is nothing to release.
	Close func()
}

// OpenImage opens the image spec names (as source.Open does) for the
// inspector: it reads the image, saving an engine image to a temp file
// first, so run it in a command. The Inspection's Close removes that
// file.
func OpenImage(ctx context.Context, spec string, o source.Options) (*Inspection, error) {
	img, err := source.Open(ctx, spec, o)
	if err != nil {
		return nil, err
	}
	infos, err := layers.Describe(img)
	if err != nil {
		img.Close()
		return nil, fmt.Errorf("inspecting %s: %w", spec, err)
	}
	return &Inspection{Title: spec, Infos: infos, Image: img, Close: img.Close}, nil
}

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
func openImage(ctx context.Context, gen int, id string, open func(context.Context, string) (*Inspection, error), images *openImages) tea.Cmd {
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
			images.remove(sess)
			if in.Close != nil {
				in.Close()
			}
		})
		if !images.add(sess) {
			sess.Release()
			return nil
		}
		return imageOpenedMsg{gen: gen, title: in.Title, infos: in.Infos, sess: sess}
	}
}

// openImages are the inspector's images from the moment they are open
// until they are released, so that Close also releases one whose
// message the program never delivered (it ended first).
type openImages struct {
	mu     sync.Mutex
	closed bool
	open   map[*layersview.Session]bool
}

// add keeps sess; false once the model is closed (release it then).
func (o *openImages) add(sess *layersview.Session) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return false
	}
	if o.open == nil {
		o.open = map[*layersview.Session]bool{}
	}
	o.open[sess] = true
	return true
}

// remove forgets a released session.
func (o *openImages) remove(sess *layersview.Session) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.open, sess)
}

// releaseAll releases every image still open, and those opened later.
func (o *openImages) releaseAll() {
	o.mu.Lock()
	o.closed = true
	open := o.open
	o.open = nil
	o.mu.Unlock()
	for sess := range open {
		sess.Release()
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
	m.images.releaseAll()
}

// BuildImages returns the inspector's opener of recorded builds' images
// (build:ID), as source.Open reads them with o.
func BuildImages(o source.Options) func(context.Context, string) (*Inspection, error) {
	return func(ctx context.Context, id string) (*Inspection, error) {
		return OpenImage(ctx, "build:"+id, o)
	}
}
