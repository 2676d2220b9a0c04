package cdiffrun

import "testing"

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
