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

// Stream runs the UI on out over the status stream produce feeds through
// onStatus; o's Events and Cancel are set here. produce runs under a
// context that quitting the UI cancels. With detach, the program runs
// under ctx and ends by quitting (an attach: the terminal's input is
// handed back whole), and the views' work is bounded by produce's
// context; else the program runs under produce's context (a build: its
// cancel ends the program) and the views' by o.Context.
func Stream(ctx context.Context, out io.Writer, o Options, detach bool,
	produce func(ctx context.Context, onStatus func(*client.SolveStatus)) (*model.Build, error)) (*model.Build, error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan *client.SolveStatus, 256)
	o.Events, o.Cancel, o.Attached = ch, cancel, detach
	pctx := sctx
	if detach {
		o.Context, pctx = sctx, ctx
	}
	return New(o).RunLive(pctx, cancel, out, ch, func() (*model.Build, error) {
		return produce(sctx, func(s *client.SolveStatus) { ch <- s })
	})
}

// Replay shows a finished build (o.Replay) from its record, with the
// logs of its recorded status stream, until the user quits.
func Replay(ctx context.Context, out io.Writer, o Options, events []*client.SolveStatus) error {
	m := New(o)
	defer m.Close()
	m.LoadLogs(events)
	return common.Run(ctx, out, m, nil)
}
