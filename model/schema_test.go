package model

import (
	"encoding/json"
	"strings"
	"testing"
)

// A record of a newer schema is refused with a line that names it and says
// what to do; older ones, and those without a schema, are read.
func TestCheckSchema(t *testing.T) {
	for _, v := range []int{0, 1, SchemaVersion} {
		if err := CheckSchema(&Build{ID: "a", Schema: v}); err != nil {
			t.Errorf("schema %d: %v", v, err)
		}
	}
	err := CheckSchema(&Build{ID: "abc", Schema: SchemaVersion + 1})
	if err == nil || !strings.Contains(err.Error(), "record abc was written by a newer buildscope") || !strings.Contains(err.Error(), "upgrade buildscope") {
		t.Errorf("newer schema: %v", err)
	}
}

// A record's head, the fields before its stages, holds its schema and
// bake: readers of heads (why's choice of the previous build) stop there.
func TestRecordHeadHoldsSchemaAndBake(t *testing.T) {
	b, err := json.Marshal(&Build{Schema: SchemaVersion, ID: "x", Bake: &BakeRef{ID: "k", Target: "api"}, Stages: []Stage{{Name: "s"}}})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	stages := strings.Index(s, `"stages"`)
	if i := strings.Index(s, `"schema"`); i < 0 || i > stages {
		t.Errorf("schema is not in the head: %s", s)
	}
	if i := strings.Index(s, `"bake"`); i < 0 || i > stages {
		t.Errorf("bake is not in the head: %s", s)
	}
}
