package buildrun

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
)

// PanicSite names where a panic happened, as "file.go:line (function)",
// for the one-line report of a recovered panic; call it in the deferred
// function that recovers. It skips the runtime's own frames, so a runtime
// error (an index out of range, a nil pointer) is placed at the code that
// caused it, not in runtime.panicBounds as a fixed frame count places it.
func PanicSite() string {
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs) // past Callers, PanicSite and the deferred function
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") && f.Function != "" {
			return fmt.Sprintf("%s:%d (%s)", filepath.Base(f.File), f.Line, f.Function)
		}
		if !more {
			return "unknown"
		}
	}
}
