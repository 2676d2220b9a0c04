package layersview

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/preview"
)

// LayerMsg says one more layer of the session Gen was analysed.
type LayerMsg struct {
	Gen   int
	Layer *layers.Layer
}

// DoneMsg carries the finished analysis of the session Gen (or why it
// failed).
type DoneMsg struct {
	Gen      int
	Analysis *layers.Analysis
	Err      error
}

// PreviewMsg carries a file's first bytes, read in the session Gen.
type PreviewMsg struct {
	Gen  int
	Path string
	Text string
	Err  error
}

// Session is one image opened in the inspector: the analysis streaming in
// the background, the previews read from it, and the image's release.
// Every message it sends carries its generation, so a view that moved on
// to another image drops what is still in flight. The image is released
// (its temporary files removed) once the session is closed and nothing
// reads it any more.
type Session struct {
	// Gen tells this session's messages from those of the one before.
	Gen int

	ctx    context.Context
	cancel context.CancelFunc
	img    v1.Image
	ch     chan tea.Msg

	mu      sync.RWMutex // held for reading while the image is read
	closed  bool
	release func()
}

// Start opens a session on img and starts its analysis. It reads the
// image: call it from a tea.Cmd (or before the program starts), never
// from Update. release, if set, frees the image once the session is
// closed (a source.Image's Close). Cancelling ctx stops the analysis.
func Start(ctx context.Context, gen int, img v1.Image, release func()) *Session {
	ctx, cancel := context.WithCancel(ctx)
	s := &Session{Gen: gen, ctx: ctx, cancel: cancel, img: img, ch: make(chan tea.Msg, 16), release: release}
	if !s.acquire() {
		close(s.ch)
		return s
	}
	go func() {
		defer s.mu.RUnlock()
		defer close(s.ch)
		a, err := layers.Analyze(ctx, img, layers.Options{OnLayer: func(l *layers.Layer) { s.send(LayerMsg{gen, l}) }})
		s.send(DoneMsg{gen, a, err})
	}()
	return s
}

// send delivers msg unless the session was closed: the analysis never
// blocks on a view that is gone.
func (s *Session) send(msg tea.Msg) {
	select {
	case s.ch <- msg:
	case <-s.ctx.Done():
	}
}

// Next is the command that waits for the session's next message; the
// view re-arms it after each one. It returns nil once the analysis is
// over or the session closed.
func (s *Session) Next() tea.Cmd {
	return func() tea.Msg {
		if s.ctx.Err() != nil {
			return nil
		}
		select {
		case msg, ok := <-s.ch:
			if !ok {
				return nil
			}
			return msg
		case <-s.ctx.Done():
			return nil
		}
	}
}

// Preview is the command that reads the first bytes of path as of layer.
func (s *Session) Preview(layer int, path string) tea.Cmd {
	return func() tea.Msg {
		if !s.acquire() {
			return nil
		}
		defer s.mu.RUnlock()
		text, err := preview.Text(s.img, layer, path)
		return PreviewMsg{Gen: s.Gen, Path: path, Text: text, Err: err}
	}
}

// acquire marks the image as being read; false once it is released.
func (s *Session) acquire() bool {
	s.mu.RLock()
	if s.closed || s.ctx.Err() != nil {
		s.mu.RUnlock()
		return false
	}
	return true
}

// Close cancels the session at once and returns the command that waits
// until nothing reads the image and releases it. Update calls Close when
// the view is left or replaced and returns the command.
func (s *Session) Close() tea.Cmd {
	s.cancel()
	return func() tea.Msg {
		s.Release()
		return nil
	}
}

// Release cancels the session, waits until nothing reads the image and
// releases it; later calls do nothing. It blocks: outside Update, call it
// from a command (Close) or once the program has ended.
func (s *Session) Release() {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		if s.release != nil {
			s.release()
		}
	}
}
