package buildui

import (
	"strings"
	"testing"

	"github.com/buildscope/buildscope/tui/tuitest"
)

// BenchmarkKeyPress is the work of answering one key press (Update, then
// View) in every view of every state of the build UI at 200x60: each op
// is one press of a key the view offers (those that leave the view or
// quit aside), cycling through them. A frame is 16 ms; compare ns/op
// with 16e6.
func BenchmarkKeyPress(b *testing.B) {
	t := &testing.T{}
	skip := map[string]bool{"q": true, "esc": true, "ctrl+c": true, "c": true, "s": true, "d": true, "i": true, "t": true, "enter": true, "/": true}
	for _, st := range uiStates() {
		for _, path := range [][]string{nil, {"c"}, {"s"}, {"d"}, {"t"}} {
			m := st.make(t, 200, 60)
			for _, k := range path {
				_, cmd := m.Update(tuitest.Key(k))
				settleAll(m, cmd, 200)
			}
			var keys []string
			for _, k := range offeredKeys(m) {
				if !skip[k] {
					keys = append(keys, k)
				}
			}
			if len(keys) == 0 || path != nil && m.view == viewBuild {
				continue // the view is not offered in this state
			}
			msgs := tuitest.Keys(keys...)
			b.Run(st.name+"/"+strings.Join(append([]string{"build"}, path...), ">"), func(b *testing.B) {
				for i := 0; b.Loop(); i++ {
					m.Update(msgs[i%len(msgs)])
					_ = m.View()
				}
			})
		}
	}
}
