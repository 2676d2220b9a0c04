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
