package compareview

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/inspect/compare"
	"github.com/buildscope/buildscope/inspect/source"
	"github.com/buildscope/buildscope/model"
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
	// Gen tells this session's messages from those of the one before.
	Gen int

	ctx    context.Context
	cancel context.CancelFunc
	done   chan tea.Msg

	mu     sync.Mutex // guards pair and closed
	pair   *compare.Pair
	closed bool
	wg     sync.WaitGroup // readers of pair
}

// Start opens the images a and b (any IMAGE spec: build:ID, layouts,
// tars, docker://, references) and compares them in the background. It
// returns at once; the view receives the result through Next.
func Start(ctx context.Context, gen int, a, b string, o compare.Options, so source.Options) *Session {
	ctx, cancel := context.WithCancel(ctx)
	s := &Session{Gen: gen, ctx: ctx, cancel: cancel, done: make(chan tea.Msg, 1)}
	go func() {
		msg := DoneMsg{Gen: gen}
		p, err := compare.Open(ctx, a, b, so)
		if err == nil {
			s.mu.Lock()
			if s.closed {
				s.mu.Unlock()
				p.Close()
				return
			}
			s.pair = p
			s.wg.Add(1)
			s.mu.Unlock()
			msg.Result, err = p.Compare(ctx, o)
			s.wg.Done()
		}
		msg.Err = err
		s.done <- msg
	}()
	return s
}

// StartBuilds compares two recorded builds (a the earlier): what the
// history list opens for two marked builds.
func StartBuilds(ctx context.Context, gen int, a, b *model.Build, so source.Options) *Session {
	return Start(ctx, gen, "build:"+a.ID, "build:"+b.ID, compare.Options{}, so)
}

// Next is the command that waits for the comparison.
func (s *Session) Next() tea.Cmd {
	return func() tea.Msg {
		select {
		case msg := <-s.done:
			return msg
		case <-s.ctx.Done():
			return nil
		}
	}
}

// Diff is the command that reads path's content diff.
func (s *Session) Diff(path string) tea.Cmd {
	return func() tea.Msg {
		s.mu.Lock()
		p := s.pair
		if p == nil || s.closed {
			s.mu.Unlock()
			return nil
		}
		s.wg.Add(1)
		s.mu.Unlock()
		defer s.wg.Done()
		d, err := p.ContentDiff(path)
		return DiffMsg{Gen: s.Gen, Path: path, Diff: d, Err: err}
	}
}

// Close cancels the session and returns the command that waits until
// nothing reads the images and releases them.
func (s *Session) Close() tea.Cmd {
	s.cancel()
	return func() tea.Msg {
		s.Release()
		return nil
	}
}

// Release cancels the session, waits for its readers and releases the
// images; later calls do nothing. It blocks: call it from a command
// (Close) or once the program has ended.
func (s *Session) Release() {
	s.cancel()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	p := s.pair
	s.mu.Unlock()
	s.wg.Wait()
	if p != nil {
		p.Close()
	}
}
