package buildui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/model"
)

// A foreign record replayed on a terminal (history show REF) shows its
// stage and step names escaped as ls -b does: they came from whoever ran
// the build, and an OSC or a screen clear in them reached the terminal
// raw through the steps pane, the logs title and the graph.
func TestForeignNamesEscapedOnScreen(t *testing.T) {
	const osc, clear = "\x1b]0;pwned\x07", "\x1b[2J"
	now := time.Now()
	step := func(line int, text string) model.Step {
		return model.Step{Name: "[x" + clear + " " + text, Instruction: text, Line: line, Started: &now, Completed: &now}
	}
	rec := &model.Build{ID: "f00", Status: model.StatusOK, Started: now, Completed: now.Add(time.Second),
		Origin: &model.Origin{Ref: "f00", By: "other"},
		Stages: []model.Stage{{Name: "x" + clear, Index: -1, Steps: []model.Step{
			step(1, "FROM busybox"), step(2, "RUN echo a\nb"+clear), step(3, "RUN echo '"+osc+"'")}}}}
	m := New(Options{Title: "replay", Replay: rec})
	m.Update(teaSize(120, 30))
	s := ansi.Strip(m.Render())
	for _, want := range []string{`RUN echo '\e]0;pwned\x07'`, `RUN echo a\nb\e[2J`, `x\e[2J`} {
		if !strings.Contains(s, want) {
			t.Errorf("the screen lacks %q:\n%s", want, s)
		}
	}
	// every step selected in turn (the logs title names it), then the
	// graph's next node
	for _, key := range []string{"", "tab", "j", "j", "tab", "j"} {
		if key != "" {
			m.Update(press(key))
		}
		raw := m.Render()
		if strings.Contains(raw, "\x1b]0;") || strings.Contains(raw, clear) || strings.Contains(raw, "\x07") {
			t.Fatalf("a name reached the screen raw (after %q):\n%q", key, raw)
		}
		if s := ansi.Strip(raw); key == "j" && m.focus == paneSteps && !strings.Contains(s, `Logs of [x\e[2J RUN echo`) {
			t.Errorf("the logs title does not name the step escaped:\n%s", s)
		}
	}
}
