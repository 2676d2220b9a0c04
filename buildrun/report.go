package buildrun

import (
	"encoding/json"
	"fmt"

	"github.com/buildscope/buildscope/model"
)

// WriteReport writes the build record b as indented JSON to path (the
// --report file), readable by the user only, as the history's own copy
// is: it holds build args, paths and the build's errors.
func WriteReport(path string, b *model.Build) error {
	data, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding report: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'), 0o600)
}
