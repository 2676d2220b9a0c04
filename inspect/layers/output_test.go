package layers

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/buildscope/buildscope/inspect/cirules"
	"github.com/buildscope/buildscope/inspect/imagetest"
)

// TestOutputJSONShape checks inspect --json's top-level field names (a
// contract): the report's fields flattened, "ci" only when rules judged.
func TestOutputJSONShape(t *testing.T) {
	img := imagetest.Image(t,
		[]imagetest.File{imagetest.Sized("etc/a", 100)},
		[]imagetest.File{imagetest.Sized("etc/a", 120)})
	rules, err := cirules.Defaults().Rules()
	if err != nil {
		t.Fatal(err)
	}
	for _, ci := range []bool{false, true} {
		out, err := Inspect(context.Background(), "img", img, ci, rules)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := out.Write(&buf, true); err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"image", "digest", "layers", "size_bytes", "efficiency", "wasted_bytes", "inefficiencies"} {
			if _, ok := got[k]; !ok {
				t.Errorf("ci=%v: no %q in %s", ci, k, buf.String())
			}
		}
		if _, ok := got["ci"]; ok != ci {
			t.Errorf("ci=%v: \"ci\" present=%v", ci, ok)
		}
		if ci && out.Pass() != out.CI.Pass {
			t.Errorf("Pass %v, verdict %v", out.Pass(), out.CI.Pass)
		}
		buf.Reset()
		if err := out.Write(&buf, false); err != nil {
			t.Fatal(err)
		}
		if ci != strings.Contains(buf.String(), "PASS") && ci != strings.Contains(buf.String(), "FAIL") {
			t.Errorf("ci=%v text:\n%s", ci, buf.String())
		}
	}
}
