package buildui

import (
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/lipgloss/v2"

	"github.com/buildscope/buildscope/model"
)

type state int

const (
	stWaiting state = iota
	stRunning
	stCached
	stDone
	stFailed
)

var stateWords = [...]string{"waiting", "running", "cached", "done", "failed"}

var spinnerFrames = spinner.MiniDot.Frames

// glyph is the one-cell mark of a state; running spins.
func (m *Model) glyph(s state) string {
	switch s {
	case stRunning:
		return spinnerFrames[m.frame%len(spinnerFrames)]
	case stCached:
		return "≡"
	case stDone:
		return "✓"
	case stFailed:
		return "✗"
	}
	return "○"
}

func (m *Model) style(s state) lipgloss.Style {
	st := m.styles
	return [...]lipgloss.Style{st.Waiting, st.Running, st.Cached, st.Done, st.Failed}[s]
}

func stepState(st model.Step) state {
	switch {
	case st.Error != "":
		return stFailed
	case st.Cached:
		return stCached
	case st.Completed != nil:
		return stDone
	case st.Started != nil:
		return stRunning
	}
	return stWaiting
}

// stageInfo sums a stage up for its graph node.
type stageInfo struct {
	state       state
	done, total int
	elapsed     time.Duration
}

func (m *Model) stageInfo(s model.Stage) stageInfo {
	in := stageInfo{total: len(s.Steps)}
	var first, last time.Time
	running, failed, allCached, started := false, false, true, false
	for _, st := range s.Steps {
		switch stepState(st) {
		case stFailed:
			failed = true
		case stRunning:
			running = true
		}
		if st.Completed != nil {
			in.done++
		}
		if !st.Cached {
			allCached = false
		}
		if st.Started != nil {
			started = true
			if first.IsZero() || st.Started.Before(first) {
				first = *st.Started
			}
			end := m.now
			if st.Completed != nil {
				end = *st.Completed
			}
			if end.After(last) {
				last = end
			}
		}
	}
	if started {
		in.elapsed = last.Sub(first)
	}
	switch {
	case failed:
		in.state = stFailed
	case running || (started && in.done < in.total && !m.done):
		in.state = stRunning
	case in.total > 0 && in.done == in.total && allCached:
		in.state = stCached
	case in.total > 0 && in.done == in.total:
		in.state = stDone
	}
	return in
}

// imageState is the state of the final image node: the build's.
func (m *Model) imageState() state {
	switch {
	case m.err != nil || m.build.Status == model.StatusError || m.build.Status == model.StatusCanceled || m.fstep.Holding(m.done):
		return stFailed
	case m.done:
		return stDone
	}
	return stRunning
}
