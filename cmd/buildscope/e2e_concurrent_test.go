package main

import (
	"encoding/json"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model"
)

// Two identical builds at once in one state dir (two terminals): both
// succeed and both are recorded. Their exports of the same blobs into
// the results layout once collided, and one of each pair failed
// (issue 30 item 1: about one pair in two, before). Three pairs.
func TestTwoIdenticalBuildsAtOnce(t *testing.T) {
	e := newEnv(t) // its history is its own; each pair's RUN has a nonce
	e.mustRun(t, "builder", "start")
	for pair := 1; pair <= 3; pair++ {
		dir := flagDir(t, "FROM 127.0.0.1:5015/buildscope/busybox\nRUN echo "+history.NewID()+" > /a && head -c 300000 /dev/urandom > /b\n")
		first, second := startBuild(t, e, dir), startBuild(t, e, dir)
		for i, wait := range []func() (int, string){first, second} {
			if code, stderr := wait(); code != 0 {
				t.Errorf("pair %d, build %d exited %d:\n%s", pair, i+1, code, lastLines(stderr, 10))
			}
		}
	}
	var rows []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal([]byte(e.mustRun(t, "history", "ls", "--json").stdout), &rows); err != nil {
		t.Fatal(err)
	}
	ok := 0
	for _, r := range rows {
		if r.Status == model.StatusOK {
			ok++
		}
	}
	if ok != 6 {
		t.Errorf("history: %+v, want all six builds recorded ok", rows)
	}
}
