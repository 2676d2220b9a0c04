package why

import (
	"encoding/json"
	"testing"
)

// A miss decoded from a record's JSON (compare's testdata, foreign
// records) names its files as one made here does.
func TestDetailTextOfDecodedMiss(t *testing.T) {
	var m Miss
	if err := json.Unmarshal([]byte(`{"step":"s","reason":"context-changed","detail":{"files":["etc/a.conf","etc/b.conf"]}}`), &m); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Detail.Text(m.Reason), ": etc/a.conf, etc/b.conf"; got != want {
		t.Errorf("Detail.Text %q, want %q", got, want)
	}
}
