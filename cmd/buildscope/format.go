package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/buildscope/buildscope/model"
)

// humanSize formats bytes like docker does (decimal units).
func humanSize(n int64) string { return model.HumanSize(n) }

// shortDigest shortens "sha256:abcdef…" to its first 12 hex digits.
func shortDigest(d string) string { return model.ShortDigest(d) }

// writeJSON writes v indented, with a final newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encoding JSON: %w", err)
	}
	return nil
}
