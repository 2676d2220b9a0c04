package model

import (
	"fmt"
	"strings"
)

// Origin says where a build buildscope did not run comes from.
type Origin struct {
	// Ref is BuildKit's ref of the build in the builder's history.
	Ref string `json:"ref"`
	// By is who made it: "buildscope", or "other" (buildx, buildctl, CI…);
	// BuildKit's history does not name the client.
	By string `json:"by"`
	// Frontend is the frontend the build ran ("dockerfile.v0").
	Frontend string `json:"frontend,omitempty"`
	// Imported is the bundle file the record was imported from.
	Imported string `json:"imported,omitempty"`
	// Missing says what the record lacks to be explained, "" if nothing.
	Missing string `json:"missing,omitempty"`
}

// Text is the origin as `history show` prints it under the build's
// header: whose build it is and what its record lacks.
func (o *Origin) Text() string {
	if o == nil {
		return ""
	}
	var w strings.Builder
	from := "the builder's history"
	if o.Imported != "" {
		from = "bundle " + Printable(o.Imported)
	}
	fmt.Fprintf(&w, "  origin     ref %s from %s, made by %s", Printable(o.Ref), from, o.By)
	if o.Frontend != "" {
		fmt.Fprintf(&w, " (frontend %s)", Printable(o.Frontend))
	}
	w.WriteString("\n")
	if o.Missing != "" {
		fmt.Fprintf(&w, "  lacks      %s\n", Printable(o.Missing))
	}
	return w.String()
}
