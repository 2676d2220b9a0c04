package history

import (
	"errors"
	"fmt"

	"github.com/buildscope/buildscope/model/trace"
)

// Timeline lays out a recorded build (an ID, a unique prefix or "last")
// from its event log: where the time went, the critical path, slack and
// savings (see trace.Timeline).
func (h History) Timeline(id string) (*trace.Timeline, error) {
	b, err := h.Get(id)
	if err != nil {
		return nil, err
	}
	events, err := h.Vertexes(b.ID)
	var damaged *DamagedEvents
	if errors.As(err, &damaged) && len(events) > 0 {
		h.say("buildscope: warning: build %s: %s", b.ID, damaged.Warning().Short)
	} else if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, fmt.Errorf("build %s has no event log to lay out (it was recorded without one): rebuild it", b.ID)
	}
	tl := trace.New(b.ID, events, b)
	if err := tl.CycleError(); err != nil {
		return nil, err
	}
	return tl, nil
}
