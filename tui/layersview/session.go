package layersview

import (
	"context"

	tea "charm.land/bubbletea/v2"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/buildscope/buildscope/inspect/layers"
	"github.com/buildscope/buildscope/inspect/preview"
	"github.com/buildscope/buildscope/tui/common"
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
	*common.Stream[v1.Image]
}

// Start opens a session on img and starts its analysis. It reads the
// image: call it from a tea.Cmd (or before the program starts), never
// from Update. release, if set, frees the image once the session is
// closed (a source.Image's Close). Cancelling ctx stops the analysis.
func Start(ctx context.Context, gen int, img v1.Image, release func()) *Session {
	s := &Session{common.NewStream[v1.Image](ctx, gen, 16)}
	if !s.Adopt(img, release) { // ctx was already over
		s.Finish()
		return s
	}
	go func() {
		defer s.Finish()
		defer s.Done()
		a, err := layers.Analyze(s.Context(), img, layers.Options{OnLayer: func(l *layers.Layer) { s.Send(LayerMsg{gen, l}) }})
		s.Send(DoneMsg{gen, a, err})
	}()
	return s
}

// Preview is the command that reads the first bytes of path as of layer.
func (s *Session) Preview(layer int, path string) tea.Cmd {
	return func() tea.Msg {
		img, ok := s.Acquire()
		if !ok {
			return nil
		}
		defer s.Done()
		text, err := preview.Text(img, layer, path)
		return PreviewMsg{Gen: s.Gen, Path: path, Text: text, Err: err}
	}
}
