package builder

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client"
)

// Pruned is what a prune removed (`builder prune --json`).
type Pruned struct {
	FreedBytes int64 `json:"freed_bytes"`
	Records    int   `json:"records"`
	// HistoryRecords counts BuildKit's own records of buildscope's builds
	// deleted with --history.
	HistoryRecords int `json:"history_records,omitempty"`
}

// PurgeHistory deletes the embedded builder's own records of the builds
// buildscope ran (see PurgeRecords) and returns how many went.
func (e *Embedded) PurgeHistory(ctx context.Context) (int, error) {
	b, err := e.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer b.Close()
	return PurgeRecords(ctx, b, BuildRefPrefix)
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

// PruneAll prunes the build cache (Prune) and, with history, deletes the
// builder's own records of buildscope's builds too (PurgeHistory).
func (e *Embedded) PruneAll(ctx context.Context, history bool) (*Pruned, error) {
	pr, err := e.Prune(ctx)
	if err != nil || !history {
		return pr, err
	}
	if pr.HistoryRecords, err = e.PurgeHistory(ctx); err != nil {
		return nil, err
	}
	return pr, nil
}
