package cdiff

import (
	"bytes"
	"testing"
)

func TestCheckSelection(t *testing.T) {
	if err := CheckSelection("auto", []string{"/tmp", "/etc/*.conf"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, want string }{
		{"disk", "/tmp", `--method "disk": use auto, overlay or export`},
		{"overlay", "/[", `--path "/[": syntax error in pattern`},
	} {
		err := CheckSelection(c.method, []string{c.path})
		if err == nil || err.Error() != c.want {
			t.Errorf("CheckSelection(%q, %q) = %v, want %s", c.method, c.path, err, c.want)
		}
	}
}

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
