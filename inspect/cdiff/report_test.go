package cdiff

import (
	"bytes"
	"testing"
)

func TestWriteNoChanges(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, []Change{}, true); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "{\n  \"changes\": []\n}\n"; got != want {
		t.Errorf("JSON %q, want %q", got, want)
	}
	buf.Reset()
	if err := Write(&buf, nil, false); err != nil || buf.Len() != 0 {
		t.Errorf("text %q, %v: want nothing", buf.String(), err)
	}
}
