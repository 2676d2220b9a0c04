package trace

import (
	"testing"

	"github.com/moby/buildkit/client"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/dockerfile"
	"github.com/buildscope/buildscope/model/fold"
)

func foldEvents(t *testing.T, plan *dockerfile.Plan, events []*client.SolveStatus) *model.Build {
	t.Helper()
	b := &model.Build{}
	f := fold.New(b, plan)
	for _, e := range events {
		f.Add(e)
	}
	return f.Build()
}
