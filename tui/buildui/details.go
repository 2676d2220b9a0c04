package buildui

import (
	"fmt"

	"github.com/buildscope/buildscope/model"
)

// mountTags describe the cache mounts of step st of the selected stage,
// as the record has them once the build is over ("" for none): each
// one's id, whether the build found it warm, its size on the builder.
func (m *Model) mountTags(st model.Step) string {
	if m.selNode >= len(m.build.Stages) {
		return ""
	}
	stage := m.build.Stages[m.selNode].Name
	out := ""
	for _, cm := range m.build.CacheMounts {
		if cm.Stage != stage || cm.Line != st.Line {
			continue
		}
		state := "empty"
		if cm.Warm {
			state = "warm"
		}
		if cm.Unknown != "" { // the builder cannot tell this mount from others
			out += fmt.Sprintf("[cache %s ?] ", model.Printable(cm.ID))
			continue
		}
		out += fmt.Sprintf("[cache %s %s %s] ", model.Printable(cm.ID), state, model.HumanSize(cm.SizeBytes))
	}
	return out
}

// adviceLines are the record's advice as the image node's pane lists it,
// after BuildKit's warnings.
func adviceLines(advice []model.Advice) []string {
	var out []string
	for _, a := range advice {
		text := "✎ " + a.Rule + ": " + model.Printable(a.Message)
		if a.Line > 0 {
			text = fmt.Sprintf("✎ line %d: %s: %s", a.Line, a.Rule, model.Printable(a.Message))
		}
		out = append(out, text)
	}
	return out
}
