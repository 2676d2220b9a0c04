package buildui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// With LANG=C or TERM=dumb (common.ForTerminal, as common.Run draws it
// there) no screen of the build UI, in any state or view, draws a
// character beyond ASCII.
func TestASCIIScreens(t *testing.T) {
	for _, st := range uiStates() {
		for _, path := range [][]string{nil, {"?"}, {"c"}, {"s"}, {"d"}, {"t"}, {"i"}} {
			m := st.make(t, 100, 30)
			for _, k := range path {
				_, cmd := m.Update(tuitest.Key(k))
				settleAll(m, cmd, 200)
			}
			screen := ansi.Strip(common.ForTerminal(m, true).View().Content)
			for _, r := range screen {
				if r > 0x7f {
					t.Errorf("%s %v: %q drawn:\n%s", st.name, path, r, screen)
					break
				}
			}
		}
	}
}
