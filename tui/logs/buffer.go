// Package logs keeps the output of build steps with bounded memory and
// shows it in a scrollable, searchable pane that can follow new output.
package logs

import "strings"

// DefaultCap is the default number of bytes kept per step.
const DefaultCap = 256 << 10

// Buffer holds one step's output as lines. Beyond Cap bytes the oldest
// lines are dropped and counted.
type Buffer struct {
	Cap     int
	lines   []string
	start   int // index of the first kept line in lines
	partial string
	bytes   int
	dropped int64
}

// NewBuffer returns a buffer keeping at most capBytes bytes.
func NewBuffer(capBytes int) *Buffer {
	if capBytes <= 0 {
		capBytes = DefaultCap
	}
	return &Buffer{Cap: capBytes}
}

// Write appends output. A carriage return starts the line over, as a
// terminal would show it (progress bars).
func (b *Buffer) Write(p []byte) {
	s := b.partial + string(p)
	b.bytes -= len(b.partial)
	b.partial = ""
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		b.push(overwrite(s[:i]))
		s = s[i+1:]
	}
	b.partial = s
	b.bytes += len(s)
	b.trim()
}

func overwrite(line string) string {
	line = strings.TrimSuffix(line, "\r")
	if i := strings.LastIndexByte(line, '\r'); i >= 0 {
		return line[i+1:]
	}
	return line
}

func (b *Buffer) push(line string) {
	b.lines = append(b.lines, line)
	b.bytes += len(line) + 1
}

// trim drops the oldest lines until the buffer fits its cap; the slice is
// compacted once half of it is dropped, so dropping stays O(1) amortised.
func (b *Buffer) trim() {
	for b.bytes > b.Cap && b.start < len(b.lines) {
		n := len(b.lines[b.start]) + 1
		b.lines[b.start] = ""
		b.start++
		b.bytes -= n
		b.dropped += int64(n)
	}
	if b.bytes > b.Cap && len(b.partial) > b.Cap {
		cut := len(b.partial) - b.Cap
		b.partial = b.partial[cut:]
		b.bytes -= cut
		b.dropped += int64(cut)
	}
	if b.start > 1024 && b.start*2 > len(b.lines) {
		b.lines = append([]string(nil), b.lines[b.start:]...)
		b.start = 0
	}
}

// Len is the number of lines, counting an unfinished last line.
func (b *Buffer) Len() int {
	n := len(b.lines) - b.start
	if b.partial != "" {
		n++
	}
	return n
}

// Line returns line i (0 is the oldest kept).
func (b *Buffer) Line(i int) string {
	if i == len(b.lines)-b.start {
		return overwrite(b.partial)
	}
	return b.lines[b.start+i]
}

// Dropped is how many bytes were dropped to stay within the cap.
func (b *Buffer) Dropped() int64 { return b.dropped }

// Bytes is how many bytes are kept.
func (b *Buffer) Bytes() int { return b.bytes }
