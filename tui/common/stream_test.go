package common

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

func TestStreamReleasesOnceAfterTheLastReader(t *testing.T) {
	s := NewStream[string](context.Background(), 7, 1)
	var released atomic.Int32
	if !s.Adopt("img", func() { released.Add(1) }) {
		t.Fatal("Adopt refused on an open stream")
	}
	if v, ok := s.Acquire(); !ok || v != "img" {
		t.Fatalf("Acquire = %q, %v", v, ok)
	} else {
		s.Done()
	}
	done := make(chan struct{})
	go func() { s.Close()(); close(done) }()
	select {
	case <-done:
		t.Fatal("released while a reader still held the value")
	case <-time.After(50 * time.Millisecond):
	}
	if s.Context().Err() == nil {
		t.Fatal("Close did not cancel the work's context at once")
	}
	s.Done()
	<-done
	s.Release()
	if n := released.Load(); n != 1 {
		t.Fatalf("released %d times, want 1", n)
	}
	if _, ok := s.Acquire(); ok {
		t.Fatal("Acquire after release handed the value out")
	}
	if s.Adopt("other", func() { released.Add(1) }) {
		t.Fatal("Adopt after close took a value")
	}
	if n := released.Load(); n != 2 {
		t.Fatalf("a value adopted after the close was not freed (%d releases, want 2)", n)
	}
}

func TestStreamNeverBlocksOnAViewThatIsGone(t *testing.T) {
	s := NewStream[int](context.Background(), 1, 0) // no buffer: a send waits for Next
	s.Release()
	sent := make(chan struct{})
	go func() { s.Send("late"); close(sent) }()
	<-sent // would hang if Send waited for a reader after the close
	if msg := s.Next()(); msg != nil {
		t.Fatalf("Next after close = %v, want nil", msg)
	}
}

func TestStreamDeliversInOrderThenEnds(t *testing.T) {
	s := NewStream[int](context.Background(), 1, 4)
	s.Send("a")
	s.Send("b")
	s.Finish()
	for _, want := range []any{"a", "b", nil} {
		if got := s.Next()(); got != want {
			t.Fatalf("Next = %v, want %v", got, want)
		}
	}
}

// A view without a stream takes generation 0 and asks for nothing; once
// it lets go of one, it asks for no more messages.
func TestHeld(t *testing.T) {
	var none Held[int]
	if none.Gen() != 0 || none.Next() != nil || none.Close() != nil {
		t.Fatal("a view with no stream must take generation 0 and ask for nothing")
	}
	h := Held[int]{S: NewStream[int](context.Background(), 5, 1)}
	if h.Gen() != 5 || h.Next() == nil {
		t.Fatal("a view must take its stream's generation and wait for it")
	}
	h.Close()()
	if h.Next() != nil || h.S.Context().Err() == nil {
		t.Fatal("after Close the view must ask for nothing and the stream be cancelled")
	}
}
