package buildrun

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/go-csvvalue"
)

// Redactor replaces secret values wherever build output could carry them:
// logs, vertex names, errors. Records, history and --progress json only
// ever see redacted data.
type Redactor struct {
	values [][]byte
}

// redactedMark replaces a secret value.
const redactedMark = "****"

// NewRedactor reads the values of --secret specs (id=,src=|env=) so they
// can be recognised in output. A secret whose file cannot be read is an
// error naming it, before anything is built.
func NewRedactor(specs []string) (*Redactor, error) {
	r := &Redactor{}
	for _, spec := range specs {
		v, err := secretValue(spec)
		if err != nil {
			return nil, err
		}
		r.add(v)
	}
	return r, nil
}

func (r *Redactor) add(v []byte) {
	for _, x := range [][]byte{bytes.TrimRight(v, "\r\n"), bytes.TrimSpace(v)} {
		if len(x) == 0 {
			continue
		}
		dup := false
		for _, y := range r.values {
			dup = dup || bytes.Equal(x, y)
		}
		if !dup {
			r.values = append(r.values, append([]byte(nil), x...))
		}
	}
}

func secretValue(spec string) ([]byte, error) {
	fields, err := csvvalue.Fields(spec, nil)
	if err != nil {
		return nil, fmt.Errorf("parsing --secret %q: %w", spec, err)
	}
	var id, src, env, typ string
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("parsing --secret %q: field %q must be key=value (id=NAME,src=FILE or id=NAME,env=VAR)", spec, f)
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
	if src == "" && env == "" {
		src = id
		if _, err := os.Stat(src); err != nil {
			env = id
			src = ""
		}
	}
	if env != "" {
		return []byte(os.Getenv(env)), nil
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return nil, fmt.Errorf("reading secret %q from %s: %w", id, src, err)
	}
	return b, nil
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

// Status redacts a SolveStatus in place.
func (r *Redactor) Status(s *client.SolveStatus) {
	if len(r.values) == 0 {
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
		l.Data = r.Bytes(l.Data)
	}
	for _, w := range s.Warnings {
		w.Short = r.Bytes(w.Short)
		for i := range w.Detail {
			w.Detail[i] = r.Bytes(w.Detail[i])
		}
	}
}
