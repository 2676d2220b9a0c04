package compareview

import (
	"context"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// DoneMsg carries the finished comparison of the session Gen (or why it
// failed).
type DoneMsg struct {
	Gen    int
	Result *compare.Result
	Err    error
}

// DiffMsg carries a file's content diff, read in the session Gen.
type DiffMsg struct {
	Gen  int
	Path string
	Diff string
	Err  error
}

// Session is one comparison opened in the view: the two images opened
// and compared in the background, and the content diffs read from them.
// Its messages carry its generation, so a view that moved on drops what
// is still in flight. The images are released once the session is
// closed and nothing reads them.
type Session struct {
	*common.Stream[*compare.Pair]
}

// Start opens the images a and b (any IMAGE spec: build:ID, layouts,
// tars, docker://, references) and compares them in the background. It
// returns at once; the view receives the result through Next.
func Start(ctx context.Context, gen int, a, b string, o compare.Options, so source.Options) *Session {
	s := &Session{common.NewStream[*compare.Pair](ctx, gen, 1)}
	go func() {
		defer s.Finish()
		ctx := s.Context()
		p, err := compare.Open(ctx, a, b, so)
		if err != nil {
			s.Send(DoneMsg{Gen: gen, Err: err})
			return
		}
		if !s.Adopt(p, func() { p.Close() }) {
			return // closed meanwhile: Adopt freed the images
		}
		res, err := p.Compare(ctx, o)
		s.Done()
		s.Send(DoneMsg{Gen: gen, Result: res, Err: err})
	}()
	return s
}

// StartBuilds compares two recorded builds (a the earlier): what the
// history list opens for two marked builds.
func StartBuilds(ctx context.Context, gen int, a, b *model.Build, so source.Options) *Session {
	return Start(ctx, gen, "build:"+a.ID, "build:"+b.ID, compare.Options{}, so)
}

// Diff is the command that reads path's content diff.
func (s *Session) Diff(path string) tea.Cmd {
	return func() tea.Msg {
		p, ok := s.Acquire()
		if !ok {
			return nil
		}
		defer s.Done()
		d, err := p.ContentDiff(path)
		return DiffMsg{Gen: s.Gen, Path: path, Diff: d, Err: err}
	}
}
