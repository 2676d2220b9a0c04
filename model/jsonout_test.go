package model

import (
	"strings"
	"testing"
)

func TestWriteJSONKeepsHTML(t *testing.T) {
	var buf strings.Builder
	if err := WriteJSON(&buf, map[string]string{"a": "<b>&"}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": \"<b>&\"\n}\n"; buf.String() != want {
		t.Errorf("%q, want %q", buf.String(), want)
	}
}
