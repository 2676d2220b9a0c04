package buildui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/inspectopen"
	"github.com/buildscope/buildscope/tui/layersview"
	"github.com/buildscope/buildscope/tui/logs"
	"github.com/buildscope/buildscope/tui/stepshell"
)

// Update routes a message, then brings up to date what the screen
// derives from the model (settle): View only draws.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	cmd := m.update(msg)
	m.settle()
	return m, cmd
}

func (m *Model) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.SetSize(msg.Width, msg.Height)
		m.help.SetWidth(msg.Width)
	case tea.BackgroundColorMsg:
		m.styles = common.NewStyles(msg.IsDark())
	case tickMsg:
		m.now = time.Time(msg)
		m.frame++
		if !m.done {
			return tick()
		}
	case StatusMsg:
		m.apply(msg.Status)
		if m.opts.Events != nil {
			return WaitForStatus(m.opts.Events)
		}
	case statusBatchMsg:
		for _, s := range msg {
			m.apply(s)
		}
		if m.opts.Events != nil {
			return WaitForStatus(m.opts.Events)
		}
	case streamEndMsg:
	case failedstep.Msg:
		m.fstep.Held = &msg.Held // the failed step is already selected (autoSelect); the user may have moved since
	case stepshell.Msg, stepshell.DoneMsg:
		cmd, note := m.pause.Update(msg, m.opts.Paused)
		m.note = note
		return cmd
	case stepshell.ResultDoneMsg:
		m.note = stepshell.ResultNote(msg)
	case failedstep.ShellDoneMsg, failedstep.EditMsg: // the shell's end; the edit's and its re-run's
		var cmd tea.Cmd
		cmd, m.note = m.fstep.Done(msg)
		return cmd
	case DoneMsg:
		return tea.Batch(m.finish(msg), m.explain())
	case whyMsg:
		m.why, m.whyErr = msg.ex, msg.err
	case inspectopen.Msg:
		return m.opened(msg)
	case layersview.LayerMsg, layersview.DoneMsg, layersview.PreviewMsg:
		if m.lv != nil {
			return m.lv.Update(msg) // it drops those of an image it no longer shows
		}
	case diffMsg:
		m.diff, m.diffErr, m.diffBusy = msg.changes, msg.err, false
	case stagesMsg:
		m.stages, m.stagesErr, m.stagesBusy = msg.rep, msg.err, false
	case tea.KeyPressMsg:
		m.note = ""
		if m.confirm {
			return m.confirmed(msg)
		}
		if !m.search.Active {
			if cmd, ok := m.viewKey(msg); ok {
				return cmd
			}
		}
		return m.key(msg)
	case tea.MouseClickMsg:
		m.click(msg.Mouse())
	case tea.MouseWheelMsg:
		m.wheel(msg.Mouse())
	}
	return nil
}

// apply folds one status update into the build and the step logs.
func (m *Model) apply(s *client.SolveStatus) {
	before := len(m.build.Stages)
	m.folder.Add(s)
	m.vertices = append(m.vertices, s.Vertexes...)
	for _, v := range s.Vertexes {
		if v.Started != nil && v.Started.Before(m.started) {
			m.started = *v.Started // the build began before the first update reached us
		}
	}
	for _, l := range s.Logs {
		d := l.Vertex.String()
		b := m.logs[d]
		if b == nil {
			b = logs.NewBuffer(m.opts.LogCap)
			m.logs[d] = b
		}
		b.Write(l.Data)
	}
	if len(m.build.Stages) != before {
		m.layout()
	}
	if !m.done {
		m.autoSelect(s)
	}
}

// autoSelect follows the build: the latest step to start is shown unless
// the user moved; a failing step is always shown.
func (m *Model) autoSelect(s *client.SolveStatus) {
	for _, v := range s.Vertexes {
		stage, _, ok := m.folder.StepOf(v.Digest.String())
		if !ok || stage == "" {
			continue
		}
		if v.Error != "" || (!m.userMoved && v.Started != nil && v.Completed == nil) {
			m.selectDigest(v.Digest.String())
			if v.Error != "" {
				m.userMoved = true
			}
		}
	}
}

func (m *Model) selectDigest(d string) {
	for i, s := range m.build.Stages {
		for j, st := range s.Steps {
			if st.Digest == d {
				m.selNode, m.selStep = i, j
				m.syncLogs()
				return
			}
		}
	}
}

func (m *Model) finish(msg DoneMsg) tea.Cmd {
	m.done, m.err = true, msg.Err
	if msg.Build != nil {
		m.build = msg.Build
		m.layout()
	} else if len(m.opts.Targets) > 0 { // a bake: one record per target, the UI keeps its fold
		m.build = m.folder.Build()
		m.build.Status = m.bakeStatus(msg.Err)
	}
	m.selectFailure()
	if m.canceled || m.build.Status == model.StatusCanceled || m.fstep.QuitWhenDone {
		return tea.Quit
	}
	return nil
}

// selectFailure selects the step that failed, if one did: a stage's, or
// one outside the stages (loading a base image's metadata), on the image
// node.
func (m *Model) selectFailure() {
	for _, s := range m.build.Stages {
		for _, st := range s.Steps {
			if st.Error != "" {
				m.selectDigest(st.Digest)
				return
			}
		}
	}
	for j, st := range m.build.Other {
		if st.Error != "" {
			m.selNode, m.selStep = len(m.build.Stages), j
			m.syncLogs()
			return
		}
	}
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.search.Active {
		if key.Matches(msg, k.Cancel) {
			return m.cancel()
		}
		if m.search.Key(msg) {
			m.logv.Search(m.search.Text)
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Cancel):
		return m.cancel()
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, failedstep.Key) && !m.failedView().StepFailed:
		cmd, note := stepshell.OpenResult(m.stepView(), m.opts.StepShell)
		m.note = note
		return cmd
	case m.fstep.Claims(msg): // x, e, w
		cmd, note := m.fstep.Press(msg, m.failedView())
		m.note = note
		return cmd
	case key.Matches(msg, k.Back) && m.opts.Replay != nil:
		return tea.Quit // back to the history list (or the shell) the replay was opened from
	case key.Matches(msg, k.Help):
		m.showHelp = !m.showHelp
	case key.Matches(msg, k.Focus):
		m.focus = (m.focus + 1) % panes
	case key.Matches(msg, k.Left):
		m.moveNode(-1)
	case key.Matches(msg, k.Right):
		m.moveNode(1)
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.logv.ScrollBy(-m.logv.Height + 2)
	case key.Matches(msg, k.PageDown):
		m.logv.ScrollBy(m.logv.Height - 2)
	case key.Matches(msg, k.Top):
		m.logv.Top()
	case key.Matches(msg, k.Bottom):
		m.logv.Bottom()
	case key.Matches(msg, k.Follow):
		if m.logv.Follow {
			m.logv.Follow = false
		} else {
			m.logv.Bottom()
		}
	case key.Matches(msg, k.Search):
		m.search.Start()
	case key.Matches(msg, k.Next), key.Matches(msg, k.Prev):
		if m.logv.Query() == "" {
			m.note = msg.String() + ": no search yet: / searches the logs of the selected step"
			return nil
		}
		d := 1
		if key.Matches(msg, k.Prev) {
			d = -1
		}
		m.logv.Next(d)
	case key.Matches(msg, k.Open) && m.focus == paneGraph:
		m.focus = paneSteps
	}
	return nil
}

// quit is q: a finished build quits, a followed one detaches, and a
// running build asks first (y cancels it), so that a reflex does not kill
// a build; Ctrl-C still cancels at once.
func (m *Model) quit() tea.Cmd {
	if m.fstep.Holding(m.done) {
		m.note = m.fstep.Release()
		return nil
	}
	if m.done || m.opts.Attached || m.canceled {
		return m.cancel()
	}
	m.confirm = true
	return nil
}

// confirmed answers the question q asked: y cancels the build, Ctrl-C
// too, any other key keeps it running.
func (m *Model) confirmed(msg tea.KeyPressMsg) tea.Cmd {
	m.confirm = false
	if msg.String() == "y" || msg.String() == "Y" || key.Matches(msg, m.keys.Cancel) {
		return m.cancel()
	}
	m.note = "the build goes on"
	return nil
}

// cancel cancels a running build (the UI quits when the build reports it
// stopped) or quits a finished one.
func (m *Model) cancel() tea.Cmd {
	if m.done {
		return tea.Quit
	}
	if m.fstep.Holding(m.done) { // the build already failed: let it end as failed, not canceled
		m.note = m.fstep.Release()
		return nil
	}
	if !m.canceled {
		m.canceled = true
		if m.opts.Cancel != nil {
			m.opts.Cancel()
		}
	}
	return nil
}

func (m *Model) move(d int) {
	switch m.focus {
	case paneGraph:
		m.moveNode(d)
	case paneSteps:
		n := len(m.stepsOf(m.selNode))
		m.selStep = min(max(m.selStep+d, 0), max(n-1, 0))
		m.userMoved = true
		m.syncLogs()
	case paneLogs:
		m.logv.ScrollBy(d)
	}
}

func (m *Model) moveNode(d int) {
	m.selNode = min(max(m.selNode+d, 0), max(len(m.nodes)-1, 0))
	m.selStep = 0
	m.userMoved = true
	m.syncLogs()
}

// stepsOf lists the steps shown for graph node i: a stage's steps, or for
// the image node the work outside stages (exporting, pushing).
func (m *Model) stepsOf(i int) []model.Step {
	if i < len(m.build.Stages) {
		return m.build.Stages[i].Steps
	}
	return m.build.Other
}

// syncLogs shows the logs of the selected step.
func (m *Model) syncLogs() {
	steps := m.stepsOf(m.selNode)
	if m.selStep >= len(steps) {
		m.selStep = max(len(steps)-1, 0)
	}
	if len(steps) == 0 {
		m.logv.SetBuffer(nil)
		return
	}
	d := steps[m.selStep].Digest
	b := m.logs[d]
	if b == nil {
		b = logs.NewBuffer(m.opts.LogCap)
		m.logs[d] = b
	}
	m.logv.SetBuffer(b)
}

func (m *Model) click(mo tea.Mouse) {
	g := m.geometry()
	switch {
	case mo.Y >= 2 && mo.Y < 1+g.topH && mo.X < g.graphW:
		i := mo.Y - 2 + g.graphOff
		if i >= 0 && i < len(m.rows) && m.rows[i].Node >= 0 {
			m.selNode, m.selStep, m.userMoved, m.focus = m.rows[i].Node, 0, true, paneGraph
			m.syncLogs()
		}
	case mo.Y >= 2 && mo.Y < 1+g.topH:
		j := mo.Y - 2 + g.stepsOff
		if j >= 0 && j < len(m.stepsOf(m.selNode)) {
			m.selStep, m.userMoved, m.focus = j, true, paneSteps
			m.syncLogs()
		}
	case mo.Y >= g.logsY:
		m.focus = paneLogs
	}
}

func (m *Model) wheel(mo tea.Mouse) {
	d := 3
	if mo.Button == tea.MouseWheelUp {
		d = -3
	}
	g := m.geometry()
	if mo.Y >= g.logsY {
		m.logv.ScrollBy(d)
		return
	}
	if mo.X < g.graphW {
		m.moveNode(d / 3)
	} else {
		saved := m.focus
		m.focus = paneSteps
		m.move(d / 3)
		m.focus = saved
	}
}
