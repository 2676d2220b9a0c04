// Package help holds the long help of every buildscope command, one text
// file per command (NAME.txt: the description, then an optional
// "Examples:" section), embedded in the binary. Kept as text so the help
// reads and reviews as documentation; cmd/buildscope's tests run every
// example through the command's own flag parser, so an example that
// names a flag the command lacks fails a test.
package help

import (
	"embed"
	"strings"
)

//go:embed *.txt
var files embed.FS

// examplesHeading begins a file's examples section.
const examplesHeading = "\nExamples:\n"

// text is the file of command name ("" when there is none: the command's
// test says so).
func text(name string) string {
	b, err := files.ReadFile(name + ".txt")
	if err != nil {
		return ""
	}
	return string(b)
}

// Long is the description of command name (`buildscope NAME --help`).
func Long(name string) string {
	long, _, _ := strings.Cut(text(name), examplesHeading)
	return strings.TrimRight(long, "\n")
}

// Example is the examples section of command name, each line a command
// indented by two spaces, or "" when it has none.
func Example(name string) string {
	_, ex, _ := strings.Cut(text(name), examplesHeading)
	return strings.TrimRight(ex, "\n")
}
