package buildrun

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client"
)

// Pruned is what a prune removed (`builder prune --json`).
type Pruned struct {
	FreedBytes int64 `json:"freed_bytes"`
	Records    int   `json:"records"`
}

// Prune removes the embedded builder's whole build cache, starting the
// builder if it is not running, and counts what went.
func (e *Embedded) Prune(ctx context.Context) (*Pruned, error) {
	c, err := e.Connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ch := make(chan client.UsageInfo)
	out := &Pruned{}
	done := make(chan struct{})
	go func() {
		for u := range ch {
			out.FreedBytes += u.Size
			out.Records++
		}
		close(done)
	}()
	err = c.Prune(ctx, ch, client.PruneAll)
	close(ch)
	<-done
	if err != nil {
		return nil, fmt.Errorf("pruning the embedded builder's cache: %w", err)
	}
	return out, nil
}
