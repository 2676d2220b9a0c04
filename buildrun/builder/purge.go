package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	controlapi "github.com/moby/buildkit/api/services/control"
)

// BuildRefPrefix begins the BuildKit ref of every build buildscope runs.
const BuildRefPrefix = "buildscope-"

// PurgeRecords deletes the records BuildKit itself keeps of the
// builds on b whose ref starts with prefix (BuildRefPrefix for
// buildscope's), with their logs, provenance and traces, and returns how
// many it deleted. BuildKit stores each build's output as the daemon saw
// it, before buildscope redacted secrets from it: a secret a step printed
// is in those logs. BuildKit then no longer serves the records; their
// blobs are left to its garbage collection (the logs blob was still in
// the content store right after, in the e2e test).
func PurgeRecords(ctx context.Context, b *Builder, prefix string) (int, error) {
	lctx, cancel := context.WithCancel(ctx) // BuildKit defers deleting a record while a stream reads it
	defer cancel()
	cl, err := b.Client.ControlClient().ListenBuildHistory(lctx, &controlapi.BuildHistoryRequest{EarlyExit: true})
	if err != nil {
		return 0, fmt.Errorf("listing %s's build history: %w", b.Name(), err)
	}
	var refs []string
	for {
		ev, err := cl.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("listing %s's build history: %w", b.Name(), err)
		}
		if ev.Record != nil && strings.HasPrefix(ev.Record.Ref, prefix) && ev.Type == controlapi.BuildHistoryEventType_COMPLETE {
			refs = append(refs, ev.Record.Ref)
		}
	}
	cancel()
	for i, ref := range refs {
		if err := DeleteRecord(ctx, b, ref); err != nil {
			return i, err
		}
	}
	return len(refs), nil
}

// DeleteRecord deletes the builder's own record of ref.
func DeleteRecord(ctx context.Context, b *Builder, ref string) error {
	if _, err := b.Client.ControlClient().UpdateBuildHistory(ctx, &controlapi.UpdateBuildHistoryRequest{Ref: ref, Delete: true}); err != nil {
		return fmt.Errorf("removing build %s from the %s builder's history: %w", ref, b.Name(), err)
	}
	return nil
}
