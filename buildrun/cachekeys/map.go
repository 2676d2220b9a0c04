package cachekeys

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/buildkit/solver/pb"
	"github.com/moby/buildkit/util/cachedigest"

	"github.com/buildscope/buildscope/model"
)

// keyMapper ties the vertices of one build's LLB to their records in
// BuildKit's key store, the way BuildKit itself finds them: a source by
// what it reads (an image digest, the build's own session), any other op
// by the records of all its inputs, linked to it on the same input index.
// Where two records would fit, the op's plain text decides; where that
// does not, the vertex gets no key (never a guess).
type keyMapper struct {
	ks *keyStore
	// session is the ID of the build's session, which the keys of its
	// local sources hold (the LLB in its provenance does not)
	session string
	// pins are the content checksums of remote sources, by URL
	pins   map[string]string
	ops    map[string]*pb.Op   // by step ID
	inputs map[string][]string // step ID → input step IDs, by index
	vertex map[string]string   // step ID → vertex digest
	recs   map[string][]*keyRecord
	keys   map[string]*model.CacheKey
	busy   map[string]bool
}

// stepKeys returns the cache key of every vertex of cfg it can tie to the
// key store, by vertex digest.
func stepKeys(ks *keyStore, cfg *LLB, session string) (map[string]*model.CacheKey, error) {
	m := &keyMapper{ks: ks, session: session, pins: cfg.Pins, ops: map[string]*pb.Op{}, inputs: map[string][]string{}, vertex: map[string]string{},
		recs: map[string][]*keyRecord{}, keys: map[string]*model.CacheKey{}, busy: map[string]bool{}}
	for _, st := range cfg.Definition {
		var op pb.Op
		if err := json.Unmarshal(st.Op, &op); err != nil {
			return nil, fmt.Errorf("decoding LLB step %s: %w", st.ID, err)
		}
		m.ops[st.ID] = &op
		for _, in := range st.Inputs {
			id, _, _ := strings.Cut(in, ":")
			m.inputs[st.ID] = append(m.inputs[st.ID], id)
		}
	}
	for v, id := range cfg.DigestMapping {
		m.vertex[id] = v
	}
	out := map[string]*model.CacheKey{}
	for v, id := range cfg.DigestMapping {
		if k := m.key(id); k != nil && k.Key != "" {
			out[v] = k
		}
	}
	return out, nil
}

// records are the key-store records of step id in this build.
func (m *keyMapper) records(id string) []*keyRecord {
	if r, ok := m.recs[id]; ok || m.busy[id] {
		return r
	}
	m.busy[id] = true
	defer delete(m.busy, id)
	op := m.ops[id]
	var out []*keyRecord
	switch {
	case op == nil:
	case op.GetSource() != nil:
		out = m.sourceRecords(op)
	default:
		ins := m.inputs[id]
		if len(ins) == 0 {
			break
		}
		parents := make([]map[int]bool, len(ins))
		for i, in := range ins {
			parents[i] = map[int]bool{}
			for _, r := range m.records(in) {
				parents[i][r.ID] = true
			}
		}
		seen := map[int]bool{}
		for p := range parents[0] {
			for _, c := range m.ks.children[p] {
				if !seen[c.ID] && linksAll(c, parents) {
					seen[c.ID] = true
					out = append(out, c)
				}
			}
		}
		if len(out) > 1 {
			out = slices.DeleteFunc(out, func(r *keyRecord) bool { return !opMatches(op, m.opText(r)) })
		}
		out = m.sameKey(out)
	}
	m.recs[id] = out
	return out
}

// sameKey resolves records the op's plain text did not tell apart: when
// they stand for the same key (the same op text, linked to the same
// content checksums on every input: BuildKit wrote one key twice, as after
// two sessions), the first by ID stands for them; else none (never a
// guess).
func (m *keyMapper) sameKey(recs []*keyRecord) []*keyRecord {
	if len(recs) < 2 {
		return recs
	}
	sig := func(r *keyRecord) string {
		var parts []string
		for _, l := range r.Parents {
			if t := m.ks.recs[l.Target]; t != nil && len(t.Parents) == 0 && m.isContent(t) {
				parts = append(parts, fmt.Sprintf("%d %s %s", l.Input, l.Selector, t.Digest))
			}
		}
		slices.Sort(parts)
		return m.opText(r) + "\n" + strings.Join(slices.Compact(parts), "\n")
	}
	first := sig(recs[0])
	for _, r := range recs[1:] {
		if sig(r) != first {
			return nil
		}
	}
	return []*keyRecord{slices.MinFunc(recs, func(a, b *keyRecord) int { return a.ID - b.ID })}
}

// linksAll reports whether r is linked on every input i to one of the
// records parents[i].
func linksAll(r *keyRecord, parents []map[int]bool) bool {
	for i, ps := range parents {
		ok := false
		for _, l := range r.Parents {
			if l.Input == i && ps[l.Target] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// sourceRecords finds the root records of a source op: an image by its
// pinned digest (and platform), a local directory by the build's session.
func (m *keyMapper) sourceRecords(op *pb.Op) []*keyRecord {
	src := op.GetSource()
	var want []string
	switch {
	case strings.HasPrefix(src.Identifier, "docker-image://"):
		_, dgst, ok := strings.Cut(src.Identifier, "@")
		if !ok {
			return nil
		}
		want = append(want, `"Digest":"`+dgst+`"`)
		if op.Platform != nil {
			want = append(want, `"Arch":"`+op.Platform.Architecture+`"`)
		}
	case strings.HasPrefix(src.Identifier, "local://"):
		name := strings.TrimPrefix(src.Identifier, "local://")
		sess := src.Attrs[pb.AttrLocalSessionID]
		if sess == "" {
			sess = m.session
		}
		if sess == "" {
			return nil
		}
		want = append(want, "buildkit.source.v0:session:"+name+":", `"SessionID":"`+sess+`"`)
		if fp := src.Attrs[pb.AttrFollowPaths]; fp != "" {
			var paths []string
			if json.Unmarshal([]byte(fp), &paths) == nil {
				b, _ := json.Marshal(paths)
				want = append(want, `"FollowPaths":`+string(b))
			}
		}
	case isRemote(src.Identifier):
		// BuildKit keys a remote file by its content checksum (and the
		// file name, mode and owner it writes), not by its URL: the
		// checksum is the one the op pins, else the provenance's
		pin := src.Attrs[pb.AttrHTTPChecksum]
		if pin == "" {
			pin = m.pins[src.Identifier]
		}
		if pin == "" {
			return nil
		}
		want = append(want, `"Checksum":"`+pin+`"`)
		if fn := src.Attrs[pb.AttrHTTPFilename]; fn != "" {
			b, _ := json.Marshal(fn)
			want = append(want, `"Filename":`+string(b))
		}
	case strings.HasPrefix(src.Identifier, "git://"):
		// BuildKit keys a git source by the commit it resolved (its key's
		// plain text "buildkit.source.v0:COMMIT", with the options that
		// change the checkout after it): the commit the op pins, else
		// the provenance's
		commit := gitPin(src, m.pins)
		if commit == "" {
			return nil
		}
		want = append(want, "buildkit.source.v0:"+commit)
	default:
		return nil
	}
	var out []*keyRecord
	for _, r := range m.ks.recs {
		if len(r.Parents) > 0 || r.Digest == "" {
			continue
		}
		text := m.ks.sourceText(r.Digest)
		all := true
		for _, w := range want {
			all = all && strings.Contains(text, w)
		}
		if all {
			out = append(out, r)
		}
	}
	return out
}

// opText is the plain text of a record's op: the cache map behind its
// links' digest.
func (m *keyMapper) opText(r *keyRecord) string {
	if len(r.Parents) == 0 {
		ch := m.ks.chain(r.Digest)
		if len(ch) > 0 {
			return ch[len(ch)-1].Text()
		}
		return ""
	}
	ch := m.ks.chain(r.Parents[0].Digest)
	if len(ch) > 1 {
		return ch[1].Text()
	}
	if len(ch) == 1 {
		return ch[0].Text()
	}
	return ""
}

// key is the cache key of step id, nil when it has no single record.
func (m *keyMapper) key(id string) *model.CacheKey {
	if k, ok := m.keys[id]; ok {
		return k
	}
	m.keys[id] = nil // a cycle yields no key
	op := m.ops[id]
	recs := m.records(id)
	if op == nil || len(recs) == 0 {
		return nil
	}
	if src := op.GetSource(); src != nil {
		k := &model.CacheKey{Op: m.opText(recs[0])}
		if !recs[0].Random && len(recs) == 1 {
			k.Key, k.OpDigest, k.BuildKitKey = recs[0].Digest, recs[0].Digest, recs[0].BuildKitID
		}
		m.keys[id] = k
		return k
	}
	if len(recs) != 1 {
		return nil
	}
	r := recs[0]
	k := &model.CacheKey{Op: m.opText(r), BuildKitKey: r.BuildKitID}
	h := sha256.New()
	if len(r.Parents) > 0 {
		k.OpDigest = r.Parents[0].Digest
		fmt.Fprintf(h, "op %s\n", k.OpDigest)
	}
	for i, in := range m.inputs[id] {
		ki := model.KeyInput{Index: i, From: m.vertex[in], Source: sourceName(m.ops[in])}
		if src := m.ops[in].GetSource(); src != nil && isRemote(src.Identifier) {
			if pk := m.key(in); pk != nil {
				ki.Pin = pinOf(pk.Op)
			}
		} else if src != nil && strings.HasPrefix(src.Identifier, "git://") {
			if pk := m.key(in); pk != nil {
				ki.Pin = model.GitCommit(pk.Op)
			}
		}
		pset := map[int]bool{}
		for _, pr := range m.records(in) {
			pset[pr.ID] = true
		}
		var contents []string
		for _, l := range r.Parents {
			if l.Input != i {
				continue
			}
			if pset[l.Target] {
				if l.Selector != "" && ki.Selector == "" {
					ki.Selector = selectorText(m.ks.text(l.Selector))
				}
				continue
			}
			if t := m.ks.recs[l.Target]; t != nil && len(t.Parents) == 0 && !t.Random && m.isContent(t) {
				contents = append(contents, t.Digest)
			}
		}
		slices.Sort(contents)
		contents = slices.Compact(contents)
		if len(contents) > 0 {
			ki.Content = strings.Join(contents, ",")
			if len(contents) == 1 {
				if ki.Selector == "" {
					ki.Selector = mountSelector(op, i)
				}
				// the list is a function of the checksum and the selector:
				// one a build stored already is not expanded again
				ki.FilesRef = model.KeyFilesRef(contents[0], ki.Selector)
				if m.ks.storedList == nil || !m.ks.storedList(ki.FilesRef) {
					m.expandFiles(&ki, contents[0])
				}
			}
			fmt.Fprintf(h, "in %d sel %q content %s\n", i, ki.Selector, ki.Content)
		} else {
			if pk := m.key(in); pk != nil {
				ki.ParentKey = pk.Key
			}
			fmt.Fprintf(h, "in %d sel %q parent %s\n", i, ki.Selector, ki.ParentKey)
			if ki.ParentKey == "" {
				m.keys[id] = k // its key rests on a session: none to compare
				return k
			}
		}
		k.Inputs = append(k.Inputs, ki)
	}
	k.Key = "sha256:" + hex.EncodeToString(h.Sum(nil))
	m.keys[id] = k
	return k
}

// isContent reports whether root record r is a content checksum (of
// files an op selects from an input), not a source.
func (m *keyMapper) isContent(r *keyRecord) bool {
	if p := m.ks.text(r.Digest); p != nil {
		for _, s := range p.Subs {
			if t := m.ks.text(s); t != nil && t.Type == cachedigest.TypeDigestList {
				return true
			}
		}
	}
	return false
}

// expandFiles fills ki.Files from content, BuildKit's checksum of the
// selected files. Its ref is kept only for a list the record will store:
// one expanded whole (a part unknown is never stored as whole) and too
// long to stay inline.
func (m *keyMapper) expandFiles(ki *model.KeyInput, content string) {
	ki.Files = map[string]string{}
	missing := m.ks.missing
	if p := m.ks.text(content); p != nil {
		for _, s := range p.Subs { // the content root names its digest list
			if dl := m.ks.text(s); dl != nil && dl.Type == cachedigest.TypeDigestList {
				names := selectorNames(ki.Selector, len(dl.Subs))
				for j, f := range dl.Subs {
					m.ks.files(f, names[j], ki.Files, 0)
				}
			} else if dl == nil {
				m.ks.missing++
			}
		}
	} else {
		m.ks.missing++
	}
	if m.ks.missing > missing || len(ki.Files) <= model.InlineFileList {
		ki.FilesRef = ""
	}
}
