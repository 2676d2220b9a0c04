package debug

import (
	"bytes"
	"io"
	"sync"
)

// Progress is w for the build's plain progress display when solver is
// a Session (debug's, or build --break's): what the display writes while
// the session's process runs waits, and is written when the process
// exits. BuildKit's display prints late (its statuses lag the solve, and
// it draws at most a few times a second), so without this the steps
// before a break were printed over the shell that opened there: a raw
// terminal's staircase under the prompt. Any other solver: w.
func Progress(solver Solver, w io.Writer) io.Writer {
	s, ok := solver.(*Session)
	if !ok || s == nil {
		return w
	}
	s.progress = &heldWriter{w: w}
	return s.progress
}

// heldWriter passes writes to w, except between hold and release: then
// they wait in buf, in order, and release writes them.
type heldWriter struct {
	mu   sync.Mutex
	w    io.Writer
	held bool
	buf  bytes.Buffer
}

func (h *heldWriter) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return h.buf.Write(p)
	}
	return h.w.Write(p)
}

// hold makes writes wait until release; on a nil h it does nothing, and
// the func it returns is release.
func (h *heldWriter) hold() (release func()) {
	if h == nil {
		return func() {}
	}
	h.mu.Lock()
	h.held = true
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.held = false
		_, _ = h.w.Write(h.buf.Bytes())
		h.buf.Reset()
	}
}
