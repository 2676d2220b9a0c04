package buildrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/buildscope/buildscope/buildrun/builder"
	"github.com/buildscope/buildscope/buildrun/builderhistory"
	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/buildtext"
)

// Listing is what `buildscope history ls` shows: buildscope's builds,
// oldest first, and with a builder named, that builder's own history.
type Listing struct {
	Builds []*model.Build
	// Builder names the builder whose Records were listed ("": none).
	Builder string
	Records []builderhistory.Record
}

// List lists h and, when builder names one (connect reaches it), the
// builder's own history; a builder that keeps none is said on warn, and
// the listing goes on without it.
func List(ctx context.Context, h history.History, builder string, connect builder.Connector, warn io.Writer) (*Listing, error) {
	all, err := h.List()
	if err != nil {
		return nil, err
	}
	if all == nil {
		all = []*model.Build{}
	}
	l := &Listing{Builds: all, Builder: builder}
	if builder == "" {
		return l, nil
	}
	b, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	l.Records, err = builderhistory.List(ctx, b, 0)
	builderhistory.FillSteps(l.Records, all)
	if errors.Is(err, builderhistory.ErrNoHistory) {
		fmt.Fprintln(warn, "buildscope: "+err.Error())
	} else if err != nil {
		return nil, err
	}
	return l, nil
}

// WriteJSON writes the listing as `history ls --json` does: the array of
// builds, or with a builder {"buildscope":[…],"builder":[…]}.
func (l *Listing) WriteJSON(w io.Writer) error {
	if l.Builder == "" {
		return model.WriteJSON(w, l.Builds)
	}
	recs := l.Records
	if recs == nil {
		recs = []builderhistory.Record{}
	}
	return model.WriteJSON(w, map[string]any{"buildscope": l.Builds, "builder": recs})
}

// Text is the listing as `history ls` prints it: the table of builds,
// then the builder's own history when it was read.
func (l *Listing) Text() string {
	t := buildtext.HistoryTable(l.Builds)
	if l.Records == nil {
		return t
	}
	return t + fmt.Sprintf("\nthe %s builder's own history:\n%s", l.Builder, builderhistory.Table(l.Records))
}

// Write prints the listing as `history ls` does: WriteJSON with asJSON,
// else Text.
func (l *Listing) Write(w io.Writer, asJSON bool) error {
	if asJSON {
		return l.WriteJSON(w)
	}
	_, err := io.WriteString(w, l.Text())
	return err
}

// ImportedText is what `history import` prints: a line per build it
// imported, with the command that shows it.
func ImportedText(builds []*model.Build) string {
	var w strings.Builder
	for _, b := range builds {
		fmt.Fprintf(&w, "imported %s (%s, %d/%d steps cached) into buildscope's history: history show %s\n", b.ID, b.Status, b.Cache.StepsCached, b.Cache.StepsTotal, b.ID)
	}
	return w.String()
}
