package history

import (
	"bufio"
	"encoding/json"

	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/model/why"
)

// Explain explains recorded build b against the previous build of the
// same context, Dockerfile and target in the history. The previous build
// is picked from the head of each record (the fields before its stages),
// and only that one is read whole, with its file lists.
func (h History) Explain(b *model.Build) (*why.Explanation, error) {
	ids, err := h.ids()
	if err != nil {
		return nil, err
	}
	var heads []*model.Build
	for _, id := range ids {
		if hb := h.head(id); hb != nil && hb.ID == id && hb.Internal == "" { // never a build buildscope ran for the user
			heads = append(heads, hb)
		}
	}
	prev := why.PreviousBuild(b, heads)
	if prev != nil {
		if prev, err = h.read(prev.ID); err != nil {
			return nil, err
		}
		if err := h.join(prev); err != nil {
			return nil, err
		}
	}
	if err := h.join(b); err != nil { // b may come from Run, its lists left in the store
		return nil, err
	}
	return why.Explain(b, prev), nil
}

// head reads the fields of a record that pick the previous build: up to
// its stages in a record of schema 2 or later, which writes schema and
// bake before them; past them, for bake, in an older one. It is nil when
// it cannot (a damaged record, or one of a newer schema, which `history
// ls` names).
func (h History) head(id string) *model.Build {
	f, err := openRegular(h.path(id))
	if err != nil {
		return nil
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReaderSize(f, 8192))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	var hb model.Build
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil
		}
		var v any
		switch t {
		case "id":
			v = &hb.ID
		case "context":
			v = &hb.Context
		case "dockerfile":
			v = &hb.Dockerfile
		case "target":
			v = &hb.Target
		case "status":
			v = &hb.Status
		case "started":
			v = &hb.Started
		case "schema":
			v = &hb.Schema
		case "bake":
			v = &hb.Bake
		case "internal":
			v = &hb.Internal
		case "stages":
			if hb.Schema >= 2 {
				return checked(&hb) // the head ends here
			}
			v = &json.RawMessage{}
		default:
			v = &json.RawMessage{}
		}
		if err := dec.Decode(v); err != nil {
			return nil
		}
	}
	return checked(&hb)
}

// checked is hb, or nil when a newer buildscope wrote it.
func checked(hb *model.Build) *model.Build {
	if model.CheckSchema(hb) != nil {
		return nil
	}
	return hb
}
