package main

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/buildscope/buildscope/buildrun/history"
	"github.com/buildscope/buildscope/model/why"
)

// A remote file whose content changed: why names the URL and the old and
// new content checksums BuildKit keyed it by (from its http source's
// records and the provenance's resolved dependencies), from the cache
// keys, not cache-evicted. The file is served on the loopback: the
// embedded buildkitd fetches http sources itself, in the host's network.
func TestWhyRemoteAddChanged(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	body := "one " + history.NewID() + "\n" // the file is the test's own on the shared builder
	// httptest listens on 127.0.0.1
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Write([]byte(body))
	}))
	defer srv.Close()
	url := srv.URL + "/f.txt"
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"Dockerfile": "FROM " + ownBase(t) + "\nADD " + url + " /f.txt\nRUN cat /f.txt > /g.txt\n"})
	whyAfter(t, e, dir, "--builder", "embedded")
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return "sha256:" + hex.EncodeToString(h[:]) }
	old := sum(body)
	mu.Lock()
	body = "two " + history.NewID() + "\n"
	mu.Unlock()
	ex := whyAfter(t, e, dir, "--builder", "embedded")
	m := requireMiss(t, ex, 2, why.ReasonRemote)
	if m.Detail.URL != url || m.Detail.Old != old || m.Detail.New != sum(body) || m.Source != why.SourceCacheKeys {
		t.Errorf("line 2: %+v from %s, want %s %s → %s from cache-keys", m.Detail, m.Source, url, old, sum(body))
	}
	requireMiss(t, ex, 3, why.ReasonParent)
	for _, m := range ex.Misses {
		if m.Reason == why.ReasonEvicted {
			t.Errorf("%+v: a changed remote file called evicted", m)
		}
	}
	if plain := e.mustRun(t, "why").stdout; !strings.Contains(plain, "remote-changed: "+url) {
		t.Errorf("plain why:\n%s", plain)
	}
}
