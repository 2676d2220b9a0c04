package history

import (
	"fmt"
	"regexp"

	"github.com/buildscope/buildscope/model"
)

// recordName is what a record's ID may be: it names the record's files,
// is printed on terminals and typed as build:ID. buildscope's own IDs are
// hex; BuildKit's refs (imported builds) are letters and digits.
var recordName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

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
	if !recordName.MatchString(id) {
		return fmt.Errorf("build ID \"%s\" cannot name a record: an ID is 1 to 128 letters, digits, '.', '_' and '-', not starting with '.', '_' or '-'", model.Printable(id))
	}
	return nil
}
