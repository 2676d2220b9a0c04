package builderhistory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/cachekeys"
	"github.com/buildscope/buildscope/model"
)

// RunningBuild is a build the builder is running, whoever started it.
type RunningBuild struct {
	Ref      string
	Frontend string
	// Target and Filename are the Dockerfile frontend's attributes, when
	// the build used it.
	Target, Filename string
	Started          time.Time
}

// Running lists the builds b is running now (from BuildKit's build
// history), the most recently started first.
func Running(ctx context.Context, b *builder.Builder) ([]RunningBuild, error) {
	cl, err := b.Client.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{ActiveOnly: true, EarlyExit: true})
	if err != nil {
		return nil, runningError(b, err)
	}
	var out []RunningBuild
	for {
		ev, err := cl.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, runningError(b, err)
		}
		r := ev.Record
		if r == nil || r.CompletedAt != nil {
			continue
		}
		rb := RunningBuild{Ref: r.Ref, Frontend: r.Frontend, Target: r.FrontendAttrs["target"], Filename: r.FrontendAttrs["filename"]}
		if r.CreatedAt != nil {
			rb.Started = r.CreatedAt.AsTime()
		}
		out = append(out, rb)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Started.After(out[j].Started) })
	return out, nil
}

// Attach streams the status of a build someone else started on b, from
// its start, to onStatus until the build ends. Canceling ctx detaches: the
// build goes on.
func Attach(ctx context.Context, b *builder.Builder, ref string, onStatus func(*client.SolveStatus)) error {
	if err := checkRunning(ctx, b, ref); err != nil {
		if ctx.Err() != nil {
			return nil // detached before the stream began
		}
		return err
	}
	st, err := b.Client.ControlClient().Status(ctx, &controlapi.StatusRequest{Ref: ref})
	if err != nil {
		if ctx.Err() != nil {
			return nil // detached before the stream began
		}
		return fmt.Errorf("attaching to build %s on %s: %w", model.Printable(ref), b.Name(), err)
	}
	for {
		resp, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil // detached
			}
			return fmt.Errorf("following build %s on %s: %w", model.Printable(ref), b.Name(), err)
		}
		onStatus(client.NewSolveStatus(resp))
	}
}

// Started is when the builder started build ref (from its history), so
// that a build attached to late counts its time from its start.
func Started(ctx context.Context, b *builder.Builder, ref string) (time.Time, error) {
	r, _, err := cachekeys.HistoryRecord(ctx, b.Client, ref)
	if err != nil {
		return time.Time{}, err
	}
	return created(r), nil
}

// checkRunning says, at once, when ref is not a build b is running:
// BuildKit's Status waits seconds for a ref it does not know to start.
// The ref is escaped where it is printed: it is the user's, or another
// client's.
func checkRunning(ctx context.Context, b *builder.Builder, ref string) error {
	running, err := Running(ctx, b)
	if err != nil {
		return nil // a builder without a history API (the engine's): Status says
	}
	for _, r := range running {
		if r.Ref == ref {
			return nil
		}
	}
	if raw, err := Records(ctx, b, 0); err == nil {
		for _, r := range raw {
			if r.Ref == ref {
				return fmt.Errorf("build %s has finished on the %s builder: `buildscope history show --builder ADDR %s` shows it", model.Printable(ref), b.Name(), model.Printable(ref))
			}
		}
	}
	return fmt.Errorf("no build %q is running on the %s builder: `buildscope attach` without a ref follows the newest one", ref, b.Name())
}

// runningError is why the builds b runs cannot be listed: a builder that
// keeps no build history (the Docker engine's BuildKit before engine 23
// answers Unimplemented) is said in words, with what to do.
func runningError(b *builder.Builder, err error) error {
	if status.Code(err) == codes.Unimplemented {
		return noHistory(fmt.Sprintf("the %s builder keeps no build history (the Docker engine's BuildKit before engine 23), so the builds others started there cannot be listed nor followed: attach to a builder that keeps one (--builder embedded, or a BuildKit address, BuildKit 0.11 or later)", b.Name()))
	}
	return fmt.Errorf("listing the builds running on %s: %w", b.Name(), err)
}
