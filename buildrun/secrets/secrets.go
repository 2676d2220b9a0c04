// Package secrets keeps the values of a build's --secret sources out of
// everything buildscope shows or stores: logs, vertex names, errors.
package secrets

import (
	"bytes"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
	"github.com/tonistiigi/go-csvvalue"
)

// Redactor replaces secret values wherever build output could carry them:
// logs, vertex names, errors. Records, history and --progress json only
// ever see redacted data.
//
// Logs are redacted per step stream across writes: a secret printed in two
// writes is still found. The end of a write that could be the start of a
// secret is held back until the next write on that stream or the step's
// end (Flush gives what is left when the build ends).
type Redactor struct {
	values [][]byte
	maxLen int

	mu      sync.Mutex
	held    map[logStream][]byte
	flushed *client.SolveStatus
}

// logStream is one output stream (stdout, stderr) of one step.
type logStream struct {
	vertex digest.Digest
	stream int
}

// redactedMark replaces a secret value.
const redactedMark = "****"

// MinSecretBytes is the shortest secret value accepted: a shorter one
// cannot be told apart from ordinary output, and redacting it would
// rewrite step names and logs wherever its characters occur.
const MinSecretBytes = 4

// NewRedactor reads the values of --secret specs (id=,src=|env=) so they
// can be recognised in output. A secret whose file cannot be read is an
// error naming it, before anything is built.
func NewRedactor(specs []string) (*Redactor, error) {
	r := &Redactor{held: map[logStream][]byte{}}
	for _, spec := range specs {
		id, v, err := secretValue(spec)
		if err != nil {
			return nil, err
		}
		if err := r.add(id, v); err != nil {
			return nil, err
		}
	}
	// longest first, so that a secret holding a shorter one is replaced whole
	sort.SliceStable(r.values, func(i, j int) bool { return len(r.values[i]) > len(r.values[j]) })
	return r, nil
}

func (r *Redactor) add(id string, v []byte) error {
	for _, x := range [][]byte{bytes.TrimRight(v, "\r\n"), bytes.TrimSpace(v)} {
		if len(x) == 0 {
			continue
		}
		if len(x) < MinSecretBytes {
			return fmt.Errorf("secret %q is %d bytes long: secrets shorter than %d bytes cannot be redacted from build output without rewriting ordinary text; use a longer value", id, len(x), MinSecretBytes)
		}
		r.maxLen = max(r.maxLen, len(x))
		dup := false
		for _, y := range r.values {
			dup = dup || bytes.Equal(x, y)
		}
		if !dup {
			r.values = append(r.values, append([]byte(nil), x...))
		}
	}
	return nil
}

func secretValue(spec string) (string, []byte, error) {
	fields, err := csvvalue.Fields(spec, nil)
	if err != nil {
		return "", nil, fmt.Errorf("parsing --secret %q: %w", spec, err)
	}
	var id, src, env, typ string
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return "", nil, fmt.Errorf("parsing --secret %q: field %q must be key=value (id=NAME,src=FILE or id=NAME,env=VAR)", spec, f)
		}
		switch strings.ToLower(k) {
		case "id":
			id = v
		case "src", "source":
			src = v
		case "env":
			env = v
		case "type":
			typ = v
		}
	}
	if typ == "env" && env == "" {
		env, src = src, ""
	}
	if src == "" && env == "" { // id alone: the file, else the variable, of that name
		if _, err := os.Stat(id); err != nil {
			if _, set := os.LookupEnv(id); !set {
				return "", nil, fmt.Errorf("secret %q: there is no file %s and no environment variable %s: pass id=%s,src=FILE or id=%s,env=VAR", id, id, id, id, id)
			}
			env = id
		} else {
			src = id
		}
	}
	if env != "" {
		// an unset variable would mount an empty secret and the build
		// would go on with it, as if the value were ""
		v, set := os.LookupEnv(env)
		if !set {
			return "", nil, fmt.Errorf("secret %q: environment variable %s is not set: set it (an empty value is allowed) or pass src=FILE", id, env)
		}
		return id, []byte(v), nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return "", nil, fmt.Errorf("reading secret %q from %s: %w", id, src, err)
	}
	return id, b, nil
}

// Bytes returns b with every secret value replaced.
func (r *Redactor) Bytes(b []byte) []byte {
	for _, v := range r.values {
		if bytes.Contains(b, v) {
			b = bytes.ReplaceAll(b, v, []byte(redactedMark))
		}
	}
	return b
}

// String returns s with every secret value replaced.
func (r *Redactor) String(s string) string {
	if len(r.values) == 0 {
		return s
	}
	return string(r.Bytes([]byte(s)))
}

// Status redacts a SolveStatus in place. Log data is redacted per stream
// across writes; a status that Flush returned passes as it is.
func (r *Redactor) Status(s *client.SolveStatus) {
	if len(r.values) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if s == r.flushed {
		return
	}
	for _, v := range s.Vertexes {
		v.Name = r.String(v.Name)
		v.Error = r.String(v.Error)
	}
	for _, st := range s.Statuses {
		st.ID = r.String(st.ID)
		st.Name = r.String(st.Name)
	}
	for _, l := range s.Logs {
		k := logStream{l.Vertex, l.Stream}
		var hold []byte
		l.Data, hold = r.redactStream(append(r.held[k], l.Data...), false)
		r.setHeld(k, hold)
	}
	// a step that ended writes no more: what it held back is released
	for _, v := range s.Vertexes {
		if v.Completed == nil {
			continue
		}
		for k, data := range r.held {
			if k.vertex == v.Digest {
				out, _ := r.redactStream(data, true)
				s.Logs = append(s.Logs, &client.VertexLog{Vertex: k.vertex, Stream: k.stream, Data: out, Timestamp: *v.Completed})
				delete(r.held, k)
			}
		}
	}
	for _, w := range s.Warnings {
		w.Short = r.Bytes(w.Short)
		for i := range w.Detail {
			w.Detail[i] = r.Bytes(w.Detail[i])
		}
	}
}

// ForBuild returns a redactor of the same secrets with its own streams,
// for a build that runs beside others sharing the options (their steps'
// logs would otherwise be joined when they share a step).
func (r *Redactor) ForBuild() *Redactor {
	if r == nil {
		return nil
	}
	return &Redactor{values: r.values, maxLen: r.maxLen, held: map[logStream][]byte{}}
}

func (r *Redactor) setHeld(k logStream, hold []byte) {
	if len(hold) == 0 {
		delete(r.held, k)
		return
	}
	if r.held == nil {
		r.held = map[logStream][]byte{}
	}
	r.held[k] = append([]byte(nil), hold...)
}

// Flush returns the log data still held back, redacted, when the status
// stream ends (nil when there is none). Status leaves the returned status
// as it is, so it can go through the same path as the others.
func (r *Redactor) Flush() *client.SolveStatus {
	if r == nil || len(r.values) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.held) == 0 {
		return nil
	}
	s := &client.SolveStatus{}
	now := time.Now()
	for k, data := range r.held {
		out, _ := r.redactStream(data, true)
		s.Logs = append(s.Logs, &client.VertexLog{Vertex: k.vertex, Stream: k.stream, Data: out, Timestamp: now})
		delete(r.held, k)
	}
	sort.Slice(s.Logs, func(i, j int) bool {
		a, b := s.Logs[i], s.Logs[j]
		return a.Vertex < b.Vertex || (a.Vertex == b.Vertex && a.Stream < b.Stream)
	})
	r.flushed = s
	return s
}

// redactStream replaces every secret in buf (the longest at each place).
// Unless final, it stops where the rest of buf could be the start of a
// secret and returns that rest as hold, to be prefixed to the stream's
// next write.
func (r *Redactor) redactStream(buf []byte, final bool) (out, hold []byte) {
	out = make([]byte, 0, len(buf))
	start := 0 // of the bytes not yet copied to out
	for i := 0; i < len(buf); {
		if !final && len(buf)-i < r.maxLen && r.startsSecret(buf[i:]) {
			return append(out, buf[start:i]...), buf[i:]
		}
		if n := r.matchAt(buf[i:]); n > 0 {
			out = append(append(out, buf[start:i]...), redactedMark...)
			i += n
			start = i
			continue
		}
		i++
	}
	return append(out, buf[start:]...), nil
}

// matchAt returns the length of the longest secret b starts with.
func (r *Redactor) matchAt(b []byte) int {
	n := 0
	for _, v := range r.values {
		if len(v) > n && bytes.HasPrefix(b, v) {
			n = len(v)
		}
	}
	return n
}

// startsSecret says whether b is a proper prefix of a secret: more bytes
// could complete it.
func (r *Redactor) startsSecret(b []byte) bool {
	for _, v := range r.values {
		if len(v) > len(b) && bytes.HasPrefix(v, b) {
			return true
		}
	}
	return false
}
