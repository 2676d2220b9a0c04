// Package statusfeed delivers a build's status stream to a Bubble Tea
// program: the updates waiting together come as one message, so that
// what a screen derives from the build (the timeline, its critical path)
// is computed once per burst and not once per event.
package statusfeed

import (
	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"
)

// Batch carries the status updates that were waiting together.
type Batch []*client.SolveStatus

// MaxBatch bounds a batch, so that a flood of updates still lets the
// screen be drawn between batches.
const MaxBatch = 256

// End says the status stream is closed.
type End struct{}

// Wait returns a command that delivers the next update of ch with those
// already waiting behind it (a Batch), or End once ch is closed; the
// model re-arms it after each delivery.
func Wait(ch <-chan *client.SolveStatus) tea.Cmd {
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return End{}
		}
		batch := Batch{s}
		for len(batch) < MaxBatch {
			select {
			case s, ok := <-ch:
				if !ok {
					return batch // the next wait reports the end
				}
				batch = append(batch, s)
			default:
				return batch
			}
		}
		return batch
	}
}
