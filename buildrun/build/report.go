package build

import (
	"encoding/json"
	"fmt"

	"github.com/buildscope/buildscope/buildrun/state"
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
	return state.WriteFileAtomic(path, append(data, '\n'), 0o600)
}

// WriteRecordFiles writes what `build` was asked to leave beside the
// build: the record to report and, when the build succeeded (ok), the
// result metadata to metadata; "" writes neither.
func WriteRecordFiles(rec *model.Build, report, metadata string, ok bool) error {
	if report != "" {
		if err := WriteReport(report, rec); err != nil {
			return err
		}
	}
	if metadata != "" && ok {
		return WriteMetadata(metadata, rec)
	}
	return nil
}
