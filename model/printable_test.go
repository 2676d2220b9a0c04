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

// TestPrintableTextLine: a diff line keeps the file's tabs, backslashes
// and CRLF ending, and still shows escape sequences as escapes.
func TestPrintableTextLine(t *testing.T) {
	for in, want := range map[string]string{
		"+\tport = 80\t# x":       "+\tport = 80\t# x",
		`+path = C:\app\bin\`:     `+path = C:\app\bin\`,
		`\ No newline at end`:     `\ No newline at end`,
		"+crlf\r":                 "+crlf\r",
		"+a\x1b[2Jb\tc":           "+a\\e[2Jb\tc",
		"+mid\rforged":            "+mid\\rforged",
		"+\u202eevil\\\t\x07bell": "+\\u202eevil\\\t\\x07bell",
	} {
		if got := PrintableTextLine(in); got != want {
			t.Errorf("PrintableTextLine(%q) = %q, want %q", in, got, want)
		}
	}
}
