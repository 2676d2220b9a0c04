package buildrun

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

func TestListingJSONShapes(t *testing.T) {
	l, err := List(context.Background(), history.History{Dir: t.TempDir()}, "", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := l.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != "[]\n" {
		t.Errorf("no builder: %q, want []", buf.String())
	}
	l.Builder = "tcp://x" // named, but it keeps no history: Records nil
	buf.Reset()
	if err := l.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"builder\": [],\n  \"buildscope\": []\n}\n"; buf.String() != want {
		t.Errorf("with builder: %q, want %q", buf.String(), want)
	}
	if strings.Contains(l.Text(), "builder's own history") {
		t.Errorf("a builder without records listed:\n%s", l.Text())
	}
}

func TestImportedText(t *testing.T) {
	b := &model.Build{ID: "abc", Status: model.StatusOK, Cache: model.CacheSummary{StepsTotal: 3, StepsCached: 1}}
	want := "imported abc (ok, 1/3 steps cached) into buildscope's history: history show abc\n"
	if got := ImportedText([]*model.Build{b}); got != want {
		t.Errorf("%q, want %q", got, want)
	}
}
