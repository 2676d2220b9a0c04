package buildrun

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/moby/buildkit/util/cachedigest"
	"github.com/sirupsen/logrus"

	"github.com/buildscope/buildscope/model"
)

// BuildKit's cache keys, read from the embedded builder's debug handlers:
// buildkitd runs with --save-cache-debug, which keeps the plain text behind
// every digest that goes into a cache key, and serves its key store with
// those plain texts on /debug/cache/store (--debugaddr, a unix socket in
// the runtime dir). See cachekeys_map.go for how they are tied to steps.

// keyStore is BuildKit's cache-key store: records by ID, each linked to
// the records of its op's inputs.
type keyStore struct {
	recs  map[int]*keyRecord
	texts map[string]*plainText // by digest
	// children of a record by its ID
	children map[int][]*keyRecord
}

// keyRecord is one record of the key store: a root (a source, or a
// content checksum) has a digest; any other is reached by its links.
type keyRecord struct {
	ID      int    `json:"id"`
	Digest  string `json:"digest"`
	Random  bool   `json:"random"`
	Parents []struct {
		Input    int    `json:"input"`
		Output   int    `json:"output"`
		Digest   string `json:"digest"`
		Selector string `json:"selector"`
		Target   int    `json:"target"`
	} `json:"parents"`
	Debug []*cachedigest.Record `json:"debug"`
}

// plainText is what a digest was computed from.
type plainText struct {
	Type   cachedigest.Type
	Frames [][]byte
	Subs   []string // digests it names
}

// Text is the plain text in one string.
func (p *plainText) Text() string {
	if p == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range p.Frames {
		b.Write(f)
	}
	return b.String()
}

// debugSocket is where the embedded builder serves its debug handlers.
func debugSocket(paths Paths) string { return paths.Runtime + "/buildkitd-debug.sock" }

// readKeyStore reads BuildKit's key store from the debug handlers at
// socket.
func readKeyStore(ctx context.Context, socket string) (*keyStore, error) {
	if _, err := os.Stat(socket); err != nil {
		return nil, fmt.Errorf("the embedded builder keeps no cache keys (it was started without them: `buildscope builder stop` and build again): %w", err)
	}
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", socket)
	}}}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://buildkitd/debug/cache/store", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading BuildKit's cache keys from %s: %w", socket, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("reading BuildKit's cache keys from %s: %s", socket, resp.Status)
	}
	var recs []*keyRecord
	if err := json.NewDecoder(resp.Body).Decode(&recs); err != nil {
		return nil, fmt.Errorf("decoding BuildKit's cache keys: %w", err)
	}
	return newKeyStore(recs), nil
}

func newKeyStore(recs []*keyRecord) *keyStore {
	ks := &keyStore{recs: map[int]*keyRecord{}, texts: map[string]*plainText{}, children: map[int][]*keyRecord{}}
	var add func(r *cachedigest.Record)
	add = func(r *cachedigest.Record) {
		if _, ok := ks.texts[r.Digest.String()]; ok {
			return
		}
		p := &plainText{Type: r.Type}
		for _, f := range r.Data {
			if f.ID == cachedigest.FrameIDData {
				p.Frames = append(p.Frames, f.Data)
			}
		}
		for _, s := range r.SubRecords {
			p.Subs = append(p.Subs, s.Digest.String())
			add(s)
		}
		ks.texts[r.Digest.String()] = p
	}
	for _, r := range recs {
		ks.recs[r.ID] = r
		for _, d := range r.Debug {
			add(d)
		}
		r.Debug = nil
	}
	for _, r := range recs {
		seen := map[int]bool{}
		for _, l := range r.Parents {
			if !seen[l.Target] {
				seen[l.Target] = true
				ks.children[l.Target] = append(ks.children[l.Target], r)
			}
		}
	}
	return ks
}

// chain is the plain text of d followed by those of the digests it names,
// depth first: what a root's or a link's digest stands for.
func (ks *keyStore) chain(d string) []*plainText {
	var out []*plainText
	seen := map[string]bool{}
	var walk func(d string)
	walk = func(d string) {
		p := ks.texts[d]
		if p == nil || seen[d] {
			return
		}
		seen[d] = true
		out = append(out, p)
		for _, s := range p.Subs {
			walk(s)
		}
	}
	walk(d)
	return out
}

// files expands the checksum d of selected files into path → digest:
// a file list names files and directories (whose digest is a list of
// their own); a single file's checksum is its own record, under name.
func (ks *keyStore) files(d, name string, out map[string]string, depth int) {
	p := ks.texts[d]
	if p == nil || depth > 64 {
		return
	}
	switch p.Type {
	case cachedigest.TypeFileList:
		for i := 0; i+1 < len(p.Frames); i += 2 {
			rel := strings.Trim(strings.ReplaceAll(string(p.Frames[i]), "\x00", "/"), "/")
			sub := strings.Trim(name+"/"+rel, "/")
			child := string(p.Frames[i+1])
			if c := ks.texts[child]; c != nil && c.Type == cachedigest.TypeFileList {
				ks.files(child, sub, out, depth+1)
				continue
			}
			if sub == "" {
				sub = "."
			}
			out[sub] = child
		}
	default:
		if name == "" {
			name = "."
		}
		out[name] = d
	}
}

// builtLLB is what buildscope reads of a build's LLB after the solve:
// each vertex's normalised op digest and, on the embedded builder, its
// cache key; KeysMissing says why there are no keys, when there are none.
type builtLLB struct {
	Digests     map[string]string
	Keys        map[string]*model.CacheKey
	KeysMissing string
}

// readBuiltLLB reads the LLB of build ref from its provenance and, when
// the builder is the embedded one, the cache keys of its vertices.
func readBuiltLLB(ctx context.Context, b *Builder, paths Paths, ref, session string) *builtLLB {
	out := &builtLLB{}
	cfg, err := buildConfig(ctx, b.Client, ref)
	if err != nil {
		out.KeysMissing = err.Error()
		return out
	}
	if out.Digests, err = model.NormalizeLLB(cfg.Definition, cfg.DigestMapping); err != nil {
		out.KeysMissing = err.Error()
		return out
	}
	if b.Kind != KindEmbedded {
		out.KeysMissing = "this builder's cache keys (buildscope reads them only from the embedded builder)"
		return out
	}
	start := time.Now()
	ks, err := readKeyStore(ctx, debugSocket(paths))
	if err == nil {
		out.Keys, err = stepKeys(ks, cfg, session)
	}
	if err != nil {
		out.KeysMissing = err.Error()
	}
	logrus.Debugf("cache keys of %s: %d in %s", ref, len(out.Keys), time.Since(start))
	return out
}

// setKeys records each step's cache key.
func setKeys(rec *model.Build, keys map[string]*model.CacheKey) {
	for si := range rec.Stages {
		for k := range rec.Stages[si].Steps {
			st := &rec.Stages[si].Steps[k]
			st.Key = keys[st.Digest]
		}
	}
}
