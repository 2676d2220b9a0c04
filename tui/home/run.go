package home

import (
	"context"
	"io"

	"github.com/buildscope/buildscope/tui/common"
)

// Run shows the list on out until the user leaves it (q) or ctx ends.
// Each choice is handed to open, which shows it in its own UI; the list
// then comes back where the user was, with open's error, if any, as its
// notice.
func Run(ctx context.Context, out io.Writer, o Options, open func(Choice) error) error {
	o.Context = ctx
	for ctx.Err() == nil {
		m := New(o)
		if err := common.Run(ctx, out, m, nil); err != nil {
			return err
		}
		ch := m.Choice()
		if ch.Kind == ChoiceNone {
			return nil
		}
		o.Select, o.Filter, o.Notice = ch.Rows[0].ID, m.Filter(), ""
		if err := open(ch); err != nil {
			o.Notice = err.Error()
		}
	}
	return nil
}
