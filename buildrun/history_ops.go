package buildrun

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/buildscope/buildscope/model"
)

// Connector connects to the builder the user named; nil when none was
// named, and then only buildscope's own history is looked at.
type Connector func(context.Context) (*Builder, error)

// Removed says what `history rm` removed, and from which history.
type Removed struct {
	ID   string `json:"removed"`
	From string `json:"from"`
}

// RemoveAnywhere removes the record id from buildscope's history or, when
// it is not there and connect is set, the builder's own record of that
// ref, and says which.
func RemoveAnywhere(ctx context.Context, h History, id string, connect Connector) (*Removed, error) {
	b, err := h.Remove(id)
	if err == nil {
		return &Removed{ID: b.ID, From: "buildscope's history"}, nil
	}
	if connect == nil {
		return nil, err
	}
	bl, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer bl.Close()
	ref, err := RemoveBuilderRecord(ctx, bl, id)
	if err != nil {
		return nil, err
	}
	return &Removed{ID: ref, From: "the " + bl.Name() + " builder's history"}, nil
}

// Import imports arg into h: a `docker buildx history export` bundle file
// or, when there is no such file and connect is set, the builder's record
// of that ref with the image it exported.
func Import(ctx context.Context, h History, paths Paths, arg string, connect Connector) ([]*model.Build, error) {
	if _, err := os.Stat(arg); err == nil || connect == nil {
		return ImportBundle(ctx, h, arg)
	}
	b, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	rec, err := ImportBuilderRecord(ctx, b, h, paths, arg)
	if err != nil {
		return nil, err
	}
	return []*model.Build{rec}, nil
}

// Doctor writes the damaged records of h to w and, with fix, removes
// them; it returns how many were damaged (and are left, without fix).
func (h History) Doctor(w io.Writer, fix bool) (int, error) {
	good, damaged, err := h.Scan()
	if err != nil {
		return 0, err
	}
	for _, d := range damaged {
		if !fix {
			fmt.Fprintf(w, "damaged: %s (%s: %v)\n", d.ID, d.Path, d.Err)
			continue
		}
		if _, err := h.Remove(d.ID); err != nil {
			return len(damaged), err
		}
		fmt.Fprintf(w, "removed damaged record %s (%v)\n", d.ID, d.Err)
	}
	fmt.Fprintf(w, "%d records readable, %d damaged\n", len(good), len(damaged))
	return len(damaged), nil
}
