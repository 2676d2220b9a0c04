package compare

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/buildscope/buildscope/inspect/imagetest"
	"github.com/buildscope/buildscope/model/compare"
	"github.com/buildscope/buildscope/model/why"
)

// WriteJSON writes what encoding/json writes, byte for byte: with no
// file changes, with some, and with a build comparison whose details
// hold a "files" key of their own.
func TestWriteJSONIsEncodingJSON(t *testing.T) {
	base := imagetest.Members("etc/", "etc/keep=k")
	a := imagetest.Image(t, base, imagetest.Members("etc/conf=one", "etc/gone=x"))
	b := imagetest.Image(t, base, imagetest.Members("etc/conf=two<&>", "etc/new=y"))
	changed, err := Compare(context.Background(), a, b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	same, err := Compare(context.Background(), a, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	build := &compare.BuildComparison{A: "x", B: "y", Steps: []compare.StepComparison{{Stage: "s",
		Why: &why.Miss{Reason: "context-changed", Detail: why.Detail{Files: []string{"etc/a.conf"}}}}}}
	for name, r := range map[string]*Result{
		"changed":    {A: "a", B: "b", Image: changed},
		"same":       {A: "a", B: "a", Image: same},
		"with build": {A: "a", B: "b", Image: changed, Build: build},
	} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := r.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%s: WriteJSON wrote\n%s\nencoding/json\n%s", name, got.String(), want.String())
		}
	}
}
