package model

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes v as the CLI prints JSON: indented by two spaces, no
// HTML escaping, with a final newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	return nil
}
