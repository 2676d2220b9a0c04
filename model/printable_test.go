package model

import (
	"testing"
)

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain/path name.txt":          "plain/path name.txt",
		"ünïcödé/файл":                 "ünïcödé/файл",
		"\x1b]0;owned\x07title":        `\e]0;owned\x07title`,
		"a\nA /forged/row":             `a\nA /forged/row`,
		"csi\x9b2J":                    `csi\x9b2J`,
		"bad\xffutf8":                  `bad\xffutf8`,
		`back\slash`:                   `back\\slash`,
		"\u202eevil-bidi-override.txt": `\u202eevil-bidi-override.txt`,
	} {
		if got := Printable(in); got != want {
			t.Errorf("Printable(%q) = %q, want %q", in, got, want)
		}
	}
}
