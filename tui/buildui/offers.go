package buildui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/failedstep"
	"github.com/buildscope/buildscope/tui/keyoffer"
	"github.com/buildscope/buildscope/tui/stepshell"

	"github.com/buildscope/buildscope/model"
)

// The keys of the build view are decided here, and only here: which of
// them work in the state the UI is in (keyoffer for the keys that open
// views; here the keys that move within a view), and for those that
// cannot, the one line that says why. The footer and the full help (?)
// are drawn from it, and a key that cannot work says its reason when
// pressed.

// viewKeys are the keys that open the views of a build.
func (m *Model) viewKeys() []key.Binding {
	k := m.keys
	return []key.Binding{k.Cache, k.Stages, k.Diff, k.Inspect, k.Timeline}
}

// failed says the build is over and did not succeed.
func (m *Model) failed() bool {
	return m.done && (m.err != nil || m.build.Status == model.StatusError || m.build.Status == model.StatusCanceled)
}

// offer says whether view key b works now, and if not why, in one line
// (keyoffer decides).
func (m *Model) offer(b key.Binding) (bool, string) {
	o := m.opts
	return keyoffer.Offer(b.Help().Key, keyoffer.State{Done: m.done, Failed: m.failed(), Bake: len(o.Targets) > 0,
		Result: m.build.Result != nil, Why: o.Why != nil, Stages: o.Stages != nil, Diff: o.Diff != nil, Inspect: o.Inspect != nil, ID: m.build.ID})
}

// offered are the view keys that work now and lead elsewhere, for the
// help.
func (m *Model) offered() []key.Binding {
	var out []key.Binding
	here := map[view]key.Binding{viewCache: m.keys.Cache, viewStages: m.keys.Stages, viewDiff: m.keys.Diff,
		viewInspect: m.keys.Inspect, viewTimeline: m.keys.Timeline}[m.view]
	for _, b := range m.viewKeys() {
		if b.Help().Key == here.Help().Key || m.view == viewInspect && b.Help().Key == m.keys.Timeline.Help().Key {
			continue
		}
		if ok, _ := m.offer(b); ok {
			out = append(out, b)
		}
	}
	return out
}

// quitKey is q as it acts now: it asks before cancelling a running build,
// detaches from a followed one, and quits a finished one.
func (m *Model) quitKey() key.Binding {
	k := m.keys.Quit
	switch {
	case m.fstep.Holding(m.done):
		k.SetHelp("q", "end build")
	case m.opts.Attached && !m.done:
		k.SetHelp("q", "detach")
	case !m.done:
		k.SetHelp("q", "cancel build")
	}
	return k
}

// backKey is esc on the build view of a replay: back to where it was
// opened from (the history list, or the shell).
func (m *Model) backKey() (key.Binding, bool) {
	k := m.keys.Back
	k.SetHelp("esc", "back")
	return k, m.opts.Replay != nil
}

// moveKeys are the keys that move within the view shown, offered only
// where there is somewhere to move: a list of more than one row, a
// content diff to scroll, an axis zoomed in, logs to read.
func (m *Model) moveKeys() []key.Binding {
	k := m.keys
	var out []key.Binding
	rows := func(n int, bs ...key.Binding) {
		if n > 1 {
			out = append(out, bs...)
		}
	}
	switch m.view {
	case viewCache:
		if m.cv != nil {
			rows(m.cv.Rows(), k.Up, k.Down, k.Top, k.Bottom)
		}
	case viewStages:
		if m.sv != nil {
			rows(m.sv.Rows(), k.Up, k.Down)
			if m.opts.Inspect != nil && m.sv.Rows() > 0 {
				open := k.Open
				open.SetHelp("enter", "inspect the stage")
				out = append(out, open)
			}
		}
	case viewDiff:
		if m.dv != nil {
			rows(m.dv.Rows(), k.Up, k.Down)
			if m.dv.Scrolls() {
				out = append(out, k.PageUp, k.PageDown)
			}
		}
	case viewTimeline:
		if m.tv != nil {
			rows(m.tv.Rows(), k.Up, k.Down)
			out = append(out, k.ZoomIn, k.ZoomOut)
			if m.tv.Zoomed() {
				out = append(out, scrollKeys(k)...)
			}
		}
	}
	return out
}

// scrollKeys are left and right as the timeline names them.
func scrollKeys(k common.KeyMap) []key.Binding {
	l, r := k.Left, k.Right
	l.SetHelp("←/h", "scroll back")
	r.SetHelp("→/l", "scroll on")
	return []key.Binding{l, r}
}

// logKeys are the keys of the logs pane, offered when the selected step
// has logs to show.
func (m *Model) logKeys() []key.Binding {
	if m.logv.Buffer() == nil {
		return nil
	}
	k := m.keys
	return []key.Binding{k.PageUp, k.PageDown, k.Top, k.Bottom, k.Follow, k.Search, k.Next, k.Prev}
}

// refuse is the one line that says why a key of the view shown, not
// offered now, does nothing; false for a key that is offered or none of
// the view's.
func (m *Model) refuse(msg tea.KeyPressMsg) (string, bool) {
	k := m.keys
	all := map[view][]key.Binding{
		viewBuild:    {k.PageUp, k.PageDown, k.Top, k.Bottom, k.Follow, k.Search, k.Next, k.Prev},
		viewCache:    {k.Up, k.Down, k.Top, k.Bottom},
		viewStages:   {k.Up, k.Down, k.Open},
		viewDiff:     {k.Up, k.Down, k.PageUp, k.PageDown},
		viewTimeline: {k.Up, k.Down, k.Left, k.Right},
	}[m.view]
	offered := m.moveKeys()
	if m.view == viewBuild {
		offered = m.logKeys()
	}
	for _, b := range all {
		if !key.Matches(msg, b) {
			continue
		}
		for _, o := range offered {
			if key.Matches(msg, o) {
				return "", false
			}
		}
		switch {
		case m.view == viewBuild:
			return msg.String() + ": the selected step has no logs", true
		case m.view == viewTimeline && (key.Matches(msg, k.Left) || key.Matches(msg, k.Right)):
			return msg.String() + ": the whole build fits the axis; + zooms in, then ←/→ scroll", true
		case m.view == viewDiff && (key.Matches(msg, k.PageUp) || key.Matches(msg, k.PageDown)):
			return msg.String() + ": this change has no content diff to scroll", true
		case key.Matches(msg, k.Open):
			return "enter: no stage to inspect here", true
		}
		return msg.String() + ": the list has no other row to move to", true
	}
	return "", false
}

// failedView is what of the UI decides x (a shell in the failed step)
// and the lines beside the error (failedstep).
func (m *Model) failedView() failedstep.View {
	st, ok := m.selected()
	return failedstep.View{StepFailed: ok && st.Error != "", Digest: st.Digest, Done: m.done, Replay: m.opts.Replay != nil, Holding: m.opts.Held != nil}
}

// shellKeys are x where it works: on the held failed step, or on a
// completed step (its result), in the build view.
func (m *Model) shellKeys() []key.Binding {
	if m.view != viewBuild {
		return nil
	}
	return append(m.fstep.Keys(m.failedView()), stepshell.ResultKeys(m.stepView(), m.opts.StepShell)...)
}

// stepView is what of the UI decides x on a completed step (stepshell).
func (m *Model) stepView() stepshell.Step {
	st, ok := m.selected()
	return stepshell.Step{Done: m.done, Failed: st.Error != "", Line: st.Line, Instruction: st.Instruction, Selected: ok, Platforms: len(m.build.Platforms)}
}
