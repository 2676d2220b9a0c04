package buildui

import (
	"context"
	"io"

	tea "charm.land/bubbletea/v2"
	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// RunLive runs the UI on out while produce streams status updates into
// the UI's Events channel ch (closed here once produce returns); produce's
// record and error end the UI. Quitting the UI calls cancel (a build still
// running stops, an attach detaches), and the record is returned once
// produce is done. The inspector's image, if one is open, is closed.
func (m *Model) RunLive(ctx context.Context, cancel context.CancelFunc, out io.Writer,
	ch chan *client.SolveStatus, produce func() (*model.Build, error)) (*model.Build, error) {
	defer m.Close()
	type outcome struct {
		rec *model.Build
		err error
	}
	done := make(chan outcome, 1)
	perr := common.Run(ctx, out, m, func(p *tea.Program) {
		go func() {
			rec, err := produce()
			close(ch)
			p.Send(DoneMsg{Build: rec, Err: err})
			done <- outcome{rec, err}
		}()
	})
	go func() { // the UI stopped reading: let the producer finish
		for range ch {
		}
	}()
	cancel()
	o := <-done
	if perr != nil {
		return nil, perr
	}
	return o.rec, o.err
}
