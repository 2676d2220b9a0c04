package history

import "strings"

// ArgID is the build a command's arguments name (why, trace, history
// show): an ID, a unique prefix or "last" (the default, with no
// argument), with or without "build:".
func ArgID(args []string) string {
	if len(args) == 0 {
		return "last"
	}
	return strings.TrimPrefix(args[0], "build:")
}
