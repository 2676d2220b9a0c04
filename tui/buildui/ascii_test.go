package buildui

import (
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/buildscope/buildscope/tui/common"
	"github.com/buildscope/buildscope/tui/tuitest"
)

// With LANG=C or TERM=dumb (common.ASCII) no screen of the build UI, in
// any state or view, draws a character beyond ASCII.
func TestASCIIScreens(t *testing.T) {
	old := common.ASCII
	defer func() { common.ASCII = old }()
	common.ASCII = true
	for _, st := range uiStates() {
		for _, path := range [][]string{nil, {"?"}, {"c"}, {"s"}, {"d"}, {"t"}, {"i"}} {
			m := st.make(t, 100, 30)
			for _, k := range path {
				_, cmd := m.Update(tuitest.Key(k))
				settleAll(m, cmd, 200)
			}
			for _, r := range ansi.Strip(m.View().Content) {
				if r > 0x7f {
					t.Errorf("%s %v: %q drawn:\n%s", st.name, path, r, ansi.Strip(m.View().Content))
					break
				}
			}
		}
	}
}
