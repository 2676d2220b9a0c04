package buildui

import (
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/inspect/cdiff"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/why"
	"github.com/buildscope/buildscope/tui/statusfeed"
)

// StatusMsg carries one status update of the build.
type StatusMsg struct{ Status *client.SolveStatus }

// The status stream's messages (statusfeed): a burst of updates is
// folded in one Update.
type (
	statusBatchMsg = statusfeed.Batch
	streamEndMsg   = statusfeed.End
)

const maxBatch = statusfeed.MaxBatch

// WaitForStatus returns a command that delivers the next updates of ch
// (statusfeed.Wait); the model re-arms it after each delivery.
func WaitForStatus(ch <-chan *client.SolveStatus) tea.Cmd { return statusfeed.Wait(ch) }

// DoneMsg says the build is over: its final record and error. Whoever
// runs the build sends it (the program's Send).
type DoneMsg struct {
	Build *model.Build
	Err   error
}

type tickMsg time.Time

func tick() tea.Cmd {
	return tea.Tick(100*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// whyMsg carries the explanation of the finished build.
type whyMsg struct {
	ex  *why.Explanation
	err error
}

// explain asks for the explanation of the finished build.
func (m *Model) explain() tea.Cmd {
	if m.opts.Why == nil || m.build == nil || m.build.ID == "" && len(m.opts.Targets) == 0 { // a bake explains its targets' records
		return nil
	}
	why, b := m.opts.Why, m.build
	return func() tea.Msg {
		ex, err := why(b)
		return whyMsg{ex, err}
	}
}

// stagesMsg carries the measured stages.
type stagesMsg struct {
	rep *compare.StageReport
	err error
}

// measureStages builds and measures every stage, once.
func (m *Model) measureStages() tea.Cmd {
	if m.opts.Stages == nil || m.stagesBusy || m.stages != nil {
		return nil
	}
	m.stagesBusy = true
	f, ctx := m.opts.Stages, m.ctx
	return func() tea.Msg {
		rep, err := f(ctx)
		return stagesMsg{rep, err}
	}
}

// diffMsg carries what the image's command wrote.
type diffMsg struct {
	changes []cdiff.Change
	err     error
}

// runDiff runs the image's command and diffs what it wrote, once.
func (m *Model) runDiff() tea.Cmd {
	if m.opts.Diff == nil || m.diffBusy || m.diff != nil || m.diffErr != nil {
		return nil
	}
	m.diffBusy = true
	f, b, ctx := m.opts.Diff, m.build, m.ctx
	return func() tea.Msg {
		ch, err := f(ctx, b)
		if err == nil && ch == nil {
			ch = []cdiff.Change{}
		}
		return diffMsg{ch, err}
	}
}
