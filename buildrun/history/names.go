package history

import (
	"fmt"

	"github.com/buildscope/buildscope/model"
)

// IsRecordName says whether s may be a record's ID, which names the
// record's files, is printed on terminals and typed as build:ID: 1 to 128
// letters, digits, '.', '_' and '-', starting with a letter or digit.
// buildscope's own IDs are hex; BuildKit's refs (imported builds) are
// letters and digits. (A loop, not a regexp: `{0,127}` compiled to 127
// copies at every command's start.)
func IsRecordName(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// reservedNames are IDs that mean something else where a build is named:
// "last" is the latest build (build:last); the rest would be names of the
// history's own files.
var reservedNames = map[string]string{
	"last": "it names the latest build (build:last)",
}

// CheckID refuses an ID that cannot name a record: one holding control
// characters, slashes, colons (build:…, last~N) or a leading dot or dash,
// one over 128 characters, and the keyword "last". Every record is saved
// under a checked ID, so what the history prints of its IDs is safe.
func CheckID(id string) error {
	if why, ok := reservedNames[id]; ok {
		return fmt.Errorf("build ID %q cannot name a record: %s", id, why)
	}
	if !IsRecordName(id) {
		return fmt.Errorf("build ID \"%s\" cannot name a record: an ID is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.', '_' or '-'", model.Printable(id))
	}
	return nil
}
