package common

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"github.com/buildscope/buildscope/model"
)

// Filter is a path filter typed as a regular expression: its prompt,
// the expression in force, and why the last one typed was refused.
type Filter struct {
	in  Input
	re  *regexp.Regexp
	err error
}

// Active says the prompt is open and takes every key.
func (f *Filter) Active() bool { return f.in.Active }

// Start opens the prompt, empty.
func (f *Filter) Start() { f.in.Start() }

// Key handles a key while the prompt is open; changed is true when enter
// put a new filter in force (an empty one clears it; one that does not
// compile clears it too, and Err says why).
func (f *Filter) Key(msg tea.KeyPressMsg) (changed bool) {
	if !f.in.Key(msg) {
		return false
	}
	f.re, f.err = nil, nil
	if f.in.Text != "" {
		f.re, f.err = regexp.Compile(f.in.Text)
	}
	return true
}

// On says a filter is in force.
func (f *Filter) On() bool { return f.re != nil }

// Match says path passes the filter (every path does when none is in
// force).
func (f *Filter) Match(path string) bool { return f.re == nil || f.re.MatchString(path) }

// Err is why the last expression typed was refused, or nil.
func (f *Filter) Err() error { return f.err }

// Prompt is the prompt's line while it is open.
func (f *Filter) Prompt() string { return "filter (regex): " + f.in.Text + "▏" }

// Regexp is the expression in force, or nil.
func (f *Filter) Regexp() *regexp.Regexp { return f.re }

// Title is what a view's title says of the filter: ", filter /RE/", or
// why the last expression was refused, or "" when there is neither.
func (f *Filter) Title() string {
	switch {
	case f.re != nil:
		return ", filter /" + shown(f.re.String()) + "/"
	case f.err != nil:
		return ", no filter: " + shown(f.err.Error())
	}
	return ""
}

// shown is s as typed when every rune prints (a regex's backslashes
// stay single), else escaped so that a pasted control byte cannot reach
// the terminal.
func shown(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r == utf8.RuneError || !unicode.IsPrint(r) }) < 0 {
		return s
	}
	return model.Printable(s)
}
