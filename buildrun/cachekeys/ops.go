package cachekeys

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/moby/buildkit/solver/pb"
)

// What the plain texts of BuildKit's keys say of an op, next to the op in
// the build's LLB.

// opMatches reports whether BuildKit's plain text of an op's cache map is
// that of op: an exec op's command, environment, directory, user,
// hostname, network and security modes and its mounts; a file op's
// actions and their destinations.
func opMatches(op *pb.Op, text string) bool {
	var cm struct {
		Type    string
		Exec    *pb.ExecOp
		Actions [][]byte
	}
	if json.Unmarshal([]byte(text), &cm) != nil {
		return false
	}
	if e := op.GetExec(); e != nil {
		if cm.Exec == nil || cm.Exec.Meta == nil || e.Meta == nil {
			return false
		}
		a, b := cm.Exec.Meta, e.Meta
		return slices.Equal(a.Args, b.Args) && slices.Equal(a.Env, b.Env) && a.Cwd == b.Cwd && a.User == b.User &&
			a.Hostname == b.Hostname && cm.Exec.Network == e.Network && cm.Exec.Security == e.Security &&
			mountsMatch(cm.Exec.Mounts, e.Mounts)
	}
	if f := op.GetFile(); f != nil {
		if cm.Exec != nil || len(cm.Actions) != len(f.Actions) {
			return false
		}
		for i, a := range f.Actions {
			var got map[string]any
			if json.Unmarshal(cm.Actions[i], &got) != nil {
				return false
			}
			_, isCopy := got["dest"]
			switch {
			case a.GetCopy() != nil:
				if !isCopy || got["dest"] != a.GetCopy().Dest {
					return false
				}
			case a.GetMkdir() != nil:
				if isCopy || got["path"] != a.GetMkdir().Path {
					return false
				}
			case a.GetMkfile() != nil:
				if isCopy || got["path"] != a.GetMkfile().Path {
					return false
				}
			case a.GetRm() != nil:
				if isCopy || got["path"] != a.GetRm().Path {
					return false
				}
			case a.GetSymlink() != nil:
				if isCopy || got["newpath"] != a.GetSymlink().Newpath {
					return false
				}
			}
		}
		return true
	}
	return false
}

// mountsMatch reports whether the mounts of an exec op's cache map
// (text) are the op's (ours), as BuildKit writes them there
// (solver/llbsolver/ops/exec.go CacheMap): without selectors, a cache
// mount's id possibly cleared, and a lone root mount left out.
func mountsMatch(text, ours []*pb.Mount) bool {
	if len(ours) == 1 && len(text) == 0 {
		m := ours[0]
		return m.Dest == "/" && !m.Readonly && m.MountType == pb.MountType_BIND && m.CacheOpt == nil && m.SecretOpt == nil && m.SSHOpt == nil
	}
	if len(text) != len(ours) {
		return false
	}
	for i, t := range text {
		o := ours[i]
		if t.Input != o.Input || t.Dest != o.Dest || t.Output != o.Output || t.Readonly != o.Readonly || t.MountType != o.MountType {
			return false
		}
		if t.CacheOpt.GetID() != "" && t.CacheOpt.GetID() != o.CacheOpt.GetID() {
			return false
		}
		if t.SecretOpt.GetID() != o.SecretOpt.GetID() || t.SSHOpt.GetID() != o.SSHOpt.GetID() {
			return false
		}
	}
	return true
}

// sourceName names a source op: "local:NAME" or "image:REF".
func sourceName(op *pb.Op) string {
	src := op.GetSource()
	if src == nil {
		return ""
	}
	if n, ok := strings.CutPrefix(src.Identifier, "local://"); ok {
		return "local:" + n
	}
	if n, ok := strings.CutPrefix(src.Identifier, "docker-image://"); ok {
		return "image:" + n
	}
	return src.Identifier
}

// isRemote reports whether a source identifier is a remote file
// (ADD http://… or https://…).
func isRemote(id string) bool {
	return strings.HasPrefix(id, "http://") || strings.HasPrefix(id, "https://")
}

// gitPin is the commit of git source src: the one its op pins, else the
// one the provenance's pins record for it, which names it by its full
// remote URL and ref (an https:// repository's op is git://HOST/PATH).
func gitPin(src *pb.SourceOp, pins map[string]string) string {
	if c := src.Attrs[pb.AttrGitChecksum]; c != "" {
		return c
	}
	if c := pins[src.Identifier]; c != "" {
		return c
	}
	full := src.Attrs[pb.AttrFullRemoteURL]
	if full == "" {
		return ""
	}
	if _, frag, ok := strings.Cut(src.Identifier, "#"); ok {
		if ref, _, _ := strings.Cut(frag, ":"); ref != "" {
			full += "#" + ref
		}
	}
	return pins[full]
}

// pinOf is the content checksum in the plain text of a remote source's
// key ("" if none).
func pinOf(text string) string {
	var k struct{ Checksum string }
	if json.Unmarshal([]byte(text), &k) != nil {
		return ""
	}
	return k.Checksum
}

// selectorText is a selector's paths, comma separated.
func selectorText(p *plainText) string {
	if p == nil {
		return ""
	}
	return strings.ReplaceAll(p.Text(), "\x00", ",")
}

// mountSelector is the path an exec op mounts from input i ("" if none).
func mountSelector(op *pb.Op, i int) string {
	for _, mnt := range op.GetExec().GetMounts() {
		if int(mnt.Input) == i && mnt.Selector != "" {
			return mnt.Selector
		}
	}
	return ""
}

// selectorNames names the n checksums of a digest list after the paths
// of selector sel, in the order BuildKit takes them: plain paths sorted,
// then the one with a wildcard. Where that order is not known, the files
// are named relative to what was selected ("").
func selectorNames(sel string, n int) []string {
	var plain, wild []string
	for _, p := range strings.Split(sel, ",") {
		if p == "" {
			continue
		}
		if i := strings.IndexAny(p, "*?["); i >= 0 {
			wild = append(wild, p[:strings.LastIndex(p[:i], "/")+1])
			continue
		}
		plain = append(plain, p)
	}
	slices.Sort(plain)
	names := make([]string, n)
	if all := append(plain, wild...); len(all) == n && len(wild) <= 1 {
		for i, p := range all {
			names[i] = strings.Trim(p, "/")
		}
	}
	return names
}
