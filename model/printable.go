package model

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable makes text that came from outside (file names, labels, step
// names of builds others made) safe to print on a terminal, as `ls -b`
// does: control characters, escape sequences, invalid UTF-8 and line
// breaks become visible escapes (\e, \n, \x9b), so they can neither move
// the cursor nor forge lines. JSON output keeps the exact text instead.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r == '\\' || !unicode.IsPrint(r) && r != ' ' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == 0x1b:
			b.WriteString(`\e`)
		case r == ' ' || unicode.IsPrint(r):
			b.WriteString(s[i : i+size])
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += size
	}
	return b.String()
}

// JSONName is how a name that came from outside (a file's path in an
// image or container) is written in JSON, the one way every JSON output
// writes it: valid UTF-8 as it is (JSON escapes its control characters
// itself), each byte of an invalid sequence as the four characters \xNN,
// as `inspect` writes paths. encoding/json would write every invalid byte
// as U+FFFD, so that two distinct names would print the same.
func JSONName(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			fmt.Fprintf(&b, `\x%02x`, s[i])
			i++
			continue
		}
		b.WriteString(s[i : i+n])
		i += n
	}
	return b.String()
}

// PrintableTextLine is Printable for one line of a text file's content (a
// line of a unified diff, without its newline): tabs, backslashes and a
// CR ending the line (a CRLF file) stay as the file has them, so that the
// printed diff is one `patch` applies; other control characters and
// escape sequences still become visible escapes, so the file cannot move
// the cursor (such a line is shown, not patchable).
func PrintableTextLine(line string) string {
	body, cr := strings.CutSuffix(line, "\r")
	var b strings.Builder
	for _, part := range strings.SplitAfter(body, "\t") {
		text, tab := strings.CutSuffix(part, "\t")
		for i, piece := range strings.Split(text, `\`) {
			if i > 0 {
				b.WriteByte('\\')
			}
			b.WriteString(Printable(piece))
		}
		if tab {
			b.WriteByte('\t')
		}
	}
	if cr {
		b.WriteByte('\r')
	}
	return b.String()
}
