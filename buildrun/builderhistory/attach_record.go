package builderhistory

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/fold"
)

// Newest is the most recently started build b is running and how many
// run; none running is an error saying what to do.
func Newest(ctx context.Context, b *builder.Builder) (RunningBuild, int, error) {
	running, err := Running(ctx, b)
	if err != nil {
		return RunningBuild{}, 0, err
	}
	if len(running) == 0 {
		return RunningBuild{}, 0, fmt.Errorf("no build is running on the %s builder: start one, or name its ref", b.Name())
	}
	return running[0], len(running), nil
}

// AttachRef is the ref `attach [REF]` follows: ref when given, else the
// newest build b runs, which it names on w.
func AttachRef(ctx context.Context, b *builder.Builder, ref string, w io.Writer) (string, error) {
	if ref != "" {
		return ref, nil
	}
	r, n, err := Newest(ctx, b)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(w, "attaching to %s (started %s; %d running)\n", r.Ref, r.Started.Local().Format("15:04:05"), n)
	return r.Ref, nil
}

// Detached says on w, after attach ended, whether build ref goes on
// running on b (the user detached) or the build ended; ctx may be done
// (Ctrl-C), the builder is asked for a few seconds anyway.
func Detached(ctx context.Context, b *builder.Builder, ref string, w io.Writer) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	running, err := Running(ctx, b)
	if err != nil {
		fmt.Fprintf(w, "detached from %s: whether it still runs is not known (%v)\n", ref, err)
		return
	}
	for _, r := range running {
		if r.Ref == ref {
			fmt.Fprintf(w, "detached from %s; it goes on running on the %s builder (`buildscope attach %s` follows it again)\n", ref, b.Name(), ref)
			return
		}
	}
}

// AttachRecord follows build ref on b as Attach does and folds what it
// streams into a record: its stages as BuildKit names them, timed from
// when the builder started it; an error when a step failed, canceled
// when ctx ended first (detached).
func AttachRecord(ctx context.Context, b *builder.Builder, ref string, onStatus func(*client.SolveStatus)) (*model.Build, error) {
	started, err := Started(ctx, b, ref)
	if err != nil {
		started = time.Now()
	}
	rec := &model.Build{ID: ref, Builder: b.Name(), Status: model.StatusOK, Started: started}
	folder := fold.New(rec, nil)
	err = Attach(ctx, b, ref, func(s *client.SolveStatus) { folder.Add(s); onStatus(s) })
	rec = folder.Build()
	rec.Completed = time.Now()
	for _, st := range rec.Stages {
		for _, x := range st.Steps {
			if x.Error != "" {
				rec.Status = model.StatusError
			}
		}
	}
	if ctx.Err() != nil {
		rec.Status = model.StatusCanceled // detached: the UI quits
	}
	return rec, err
}
