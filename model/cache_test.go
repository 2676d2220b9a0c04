package model

import (
	"testing"
)

// A mount's state as history show prints it: measured, or unknown with
// why (size and warmth then zero, whatever the builder's records said).
func TestCacheMountState(t *testing.T) {
	m := CacheMountUse{SizeBytes: 1_700_000, Warm: true}
	if got := m.State(); got != "1.7MB on the builder, found warm" {
		t.Errorf("warm: %q", got)
	}
	u := m.WithUnknown("records name targets, not ids")
	if got := u.State(); got != "size and warmth unknown: records name targets, not ids" || u.Warm || u.SizeBytes != 0 {
		t.Errorf("unknown: %q, %+v", got, u)
	}
}

// A git source's key names the commit, with the checkout's options after
// it; any other key names none.
func TestGitCommit(t *testing.T) {
	for in, want := range map[string]string{
		"buildkit.source.v0:078fe732871c93f3f00017fcab49d26f7664e2b4":             "078fe732871c93f3f00017fcab49d26f7664e2b4",
		"buildkit.source.v0:078fe732871c93f3f00017fcab49d26f7664e2b4.git#main":    "078fe732871c93f3f00017fcab49d26f7664e2b4",
		"buildkit.source.v0:078fe732871c93f3f00017fcab49d26f7664e2b4:sub(bundle)": "078fe732871c93f3f00017fcab49d26f7664e2b4",
		`{"Digest":"sha256:bcd4f38202e7","OS":"linux"}`:                           "",
		"buildkit.source.v0:session:context:":                                     "",
	} {
		if got := GitCommit(in); got != want {
			t.Errorf("GitCommit(%q) = %q, want %q", in, got, want)
		}
	}
}
