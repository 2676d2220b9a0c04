package common

import (
	"context"
	"sync"

	tea "charm.land/bubbletea/v2"
)

// Stream is the life of what one view opened in the background (an
// image, a pair of images): the messages its work sends, tagged by the
// view with Gen so that a view that moved on drops what is still in
// flight; the value its commands read; and the value's release once the
// view is left and no command reads it any more.
//
// Work sends through Send and ends with Finish; the view re-arms Next
// after each message. The work hands the value over with Adopt; commands
// that read it take it with Acquire; each read ends with Done. Close (from Update) cancels at once and
// returns the command that waits for the readers and releases the value.
type Stream[T any] struct {
	// Gen tells this stream's messages from those of the one before.
	Gen int

	ctx    context.Context
	cancel context.CancelFunc
	ch     chan tea.Msg

	mu      sync.RWMutex // held for reading while the value is read
	val     T
	held    bool
	closed  bool
	release func()
}

// NewStream returns the stream of generation gen, buffering buf
// messages; cancelling ctx ends it as Close does.
func NewStream[T any](ctx context.Context, gen, buf int) *Stream[T] {
	ctx, cancel := context.WithCancel(ctx)
	return &Stream[T]{Gen: gen, ctx: ctx, cancel: cancel, ch: make(chan tea.Msg, buf)}
}

// Context is cancelled once the stream is closed: the work's context.
func (s *Stream[T]) Context() context.Context { return s.ctx }

// Adopt makes v the value commands read and release (if set) what frees
// it, and begins the caller's own read of v: end it with Done. Once the
// stream is closed it holds nothing, frees v itself and returns false.
func (s *Stream[T]) Adopt(v T, release func()) bool {
	s.mu.Lock()
	if s.closed || s.ctx.Err() != nil {
		s.mu.Unlock()
		if release != nil {
			release()
		}
		return false
	}
	s.val, s.held, s.release = v, true, release
	s.mu.Unlock()
	_, ok := s.Acquire() // false when a Release came in between: it freed v
	return ok
}

// Acquire returns the value for reading, or false once the stream is
// closed or before a value is held; after true, call Done when the read
// is over.
func (s *Stream[T]) Acquire() (T, bool) {
	s.mu.RLock()
	if s.closed || !s.held || s.ctx.Err() != nil {
		s.mu.RUnlock()
		var zero T
		return zero, false
	}
	return s.val, true
}

// Done ends a read that Acquire began.
func (s *Stream[T]) Done() { s.mu.RUnlock() }

// Send delivers msg unless the stream was closed: work never blocks on
// a view that is gone.
func (s *Stream[T]) Send(msg tea.Msg) {
	select {
	case s.ch <- msg:
	case <-s.ctx.Done():
	}
}

// Finish says the work sends nothing more.
func (s *Stream[T]) Finish() { close(s.ch) }

// Next is the command that waits for the stream's next message. It
// returns nil once the work finished or the stream closed.
func (s *Stream[T]) Next() tea.Cmd {
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

// Close cancels the stream at once and returns the command that waits
// until nothing reads the value and releases it. Update calls Close when
// the view is left or replaced and returns the command.
func (s *Stream[T]) Close() tea.Cmd {
	s.cancel()
	return func() tea.Msg {
		s.Release()
		return nil
	}
}

// Release cancels the stream, waits until nothing reads the value and
// releases it; later calls do nothing. It blocks: outside Update, call
// it from a command (Close) or once the program has ended.
func (s *Stream[T]) Release() {
	s.cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.release != nil {
		s.release()
	}
}

// Held is a view's hold on the Stream it shows (none: S is nil): the
// generation its messages must carry, the next message until the view
// lets go, and the letting go.
type Held[T any] struct {
	S      *Stream[T]
	closed bool
}

// Gen is the generation of the messages the view takes (0 with no
// stream).
func (h *Held[T]) Gen() int {
	if h.S == nil {
		return 0
	}
	return h.S.Gen
}

// Next waits for the stream's next message; nil once the view let go or
// when it has no stream.
func (h *Held[T]) Next() tea.Cmd {
	if h.S == nil || h.closed {
		return nil
	}
	return h.S.Next()
}

// Close lets go of the stream: it is cancelled at once, and the command
// returned releases its value.
func (h *Held[T]) Close() tea.Cmd {
	if h.S == nil {
		return nil
	}
	h.closed = true
	return h.S.Close()
}
