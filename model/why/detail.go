package why

import (
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// Detail is what a reason names: the input that differs and its old and
// new values, the step a cascade comes from, what is missing. Only the
// fields of its reason are set; their JSON names are part of `why --json`.
type Detail struct {
	// Files are the context files that changed (sorted), and the same
	// split by how.
	Files    []string `json:"files,omitempty"`
	Added    []string `json:"added,omitempty"`
	Removed  []string `json:"removed,omitempty"`
	Modified []string `json:"modified,omitempty"`
	// Changes are the changed files with their old and new digests, as
	// BuildKit's cache keys hold them ("" where a file is new or gone).
	Changes []InputFile `json:"changes,omitempty"`
	// Context is the named build context (--build-context NAME=…).
	Context string `json:"context,omitempty"`
	// Arg is the build arg, Var the ENV variable that changed.
	Arg string `json:"arg,omitempty"`
	Var string `json:"var,omitempty"`
	// Image is the base image whose digest changed.
	Image string `json:"image,omitempty"`
	// Field is the part of BuildKit's op definition that changed
	// ("command", "mounts", "platform", …).
	Field string `json:"field,omitempty"`
	// Old and New are the values of what changed.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Parent is the step this one builds on that ran or changed; Root the
	// root cause the cascade comes from.
	Parent string `json:"parent,omitempty"`
	Root   string `json:"root,omitempty"`
	// Flag is the --no-cache or --no-cache-filter that forced the step.
	Flag string `json:"flag,omitempty"`
	// Missing says what the recorded data lacks to tell why.
	Missing string `json:"missing,omitempty"`
	// Key is the step's cache key where it equals the previous build's;
	// KeyOld and KeyNew where they differ. LLB* are the op digests.
	Key    string `json:"key,omitempty"`
	KeyOld string `json:"key_old,omitempty"`
	KeyNew string `json:"key_new,omitempty"`
	LLB    string `json:"llb,omitempty"`
	LLBOld string `json:"llb_old,omitempty"`
	LLBNew string `json:"llb_new,omitempty"`
	// RecordOld and RecordNew, on cache-evicted, are the IDs of the step's
	// record in BuildKit's key store in the previous build and in this one
	// (buildkit_key): different, BuildKit made the record again.
	RecordOld string `json:"buildkit_key_old,omitempty"`
	RecordNew string `json:"buildkit_key_new,omitempty"`
	// URL is the remote source (ADD https://…) whose content changed.
	URL string `json:"url,omitempty"`
	// CacheFrom is what --cache-from brought, for a miss after it.
	CacheFrom string `json:"cache_from,omitempty"`
	// Pulled, on a FROM that ran, are the layers it fetched or unpacked;
	// PulledUnknown, where the record names none, says so.
	Pulled        []model.PulledLayer `json:"pulled,omitempty"`
	PulledUnknown string              `json:"pulled_unknown,omitempty"`
}

// InputFile is one file of a changed input, with its old and new
// digest ("" where the file is new or gone).
type InputFile struct {
	Path string `json:"path"`
	Old  string `json:"old,omitempty"`
	New  string `json:"new,omitempty"`
}

// Lines renders the detail of reason as the lines that follow the reason
// code: what plain `why` joins on one line and the build UI's cache view
// shows under the selected step.
func (d *Detail) Lines(reason string) []string {
	var out []string
	switch reason {
	case ReasonContext, ReasonNamedContext:
		ctx := ""
		if d.Context != "" {
			ctx = "context " + d.Context + ": "
		}
		if len(d.Changes) > 0 {
			for _, c := range head2(d.Changes, 5) {
				out = append(out, ctx+c)
			}
			break
		}
		out = append(out, ctx+strings.Join(head(d.Files, 5), ", "))
		if d.Missing != "" { // a build buildscope did not run
			out = append(out, "the paths the step selects: the builder keeps no per-file digests")
		}
	case ReasonBuildArg:
		out = append(out, fmt.Sprintf("%s %q → %q", d.Arg, d.Old, d.New))
	case ReasonEnv:
		out = append(out, fmt.Sprintf("%s %q → %q", d.Var, d.Old, d.New))
	case ReasonInstruction:
		if d.Field != "" && d.Field != "command" {
			out = append(out, fmt.Sprintf("%s: %s → %s", d.Field, d.Old, d.New))
			break
		}
		out = append(out, fmt.Sprintf("was %q", d.Old), fmt.Sprintf("now %q", d.New))
	case ReasonBase:
		out = append(out, fmt.Sprintf("%s %s → %s", d.Image, d.Old, d.New))
	case ReasonParent, ReasonParentChanged:
		if d.Parent != "" && d.Parent != d.Root {
			out = append(out, fmt.Sprintf("← %s (root cause: %s)", d.Parent, d.Root))
		} else {
			out = append(out, "← "+d.Root)
		}
	case ReasonNoCache:
		out = append(out, "forced by "+d.Flag)
	case ReasonPlatform:
		if d.Image != "" {
			out = append(out, fmt.Sprintf("%s → %s (the base image %s was pulled again)", d.Old, d.New, d.Image))
			break
		}
		out = append(out, fmt.Sprintf("%s → %s", d.Old, d.New))
	case ReasonFirst:
		out = append(out, "no earlier build of this Dockerfile and target to compare with")
	case ReasonUnknown:
		if d.Image != "" {
			out = append(out, fmt.Sprintf("base image %s@%s", d.Image, short(d.New)))
		}
		if len(d.Files) > 0 {
			out = append(out, "paths "+strings.Join(head(d.Files, 5), ", "))
		}
		out = append(out, "unknown: "+d.Missing)
	case ReasonKeyOnly:
		out = append(out, fmt.Sprintf("BuildKit evaluated the base image %s@%s only to compute its cache key, and counts that as not cached: the steps built on it were answered from the cache, so its layers were not needed", d.Image, short(d.New)))
	case ReasonPrevFailed:
		out = append(out, "the previous build's run of this step left no cache entry: "+d.Old)
	case ReasonRemote:
		out = append(out, fmt.Sprintf("%s %s → %s", d.URL, short(d.Old), short(d.New)))
	case ReasonEvicted:
		if d.Image != "" {
			out = append(out, fmt.Sprintf("the base image %s@%s was pulled again: its cache key equals the previous build's (%s), and its layers' cache entry was gone (pruned or evicted)", d.Image, short(d.New), short(d.Key)))
		} else if d.Key != "" && d.LLB == "" {
			out = append(out, "its cache key equals the previous build's ("+short(d.Key)+"), and the step ran: its cache entry was gone (pruned or evicted)")
			if d.RecordOld != "" && d.RecordNew != "" && d.RecordOld != d.RecordNew {
				out = append(out, fmt.Sprintf("BuildKit made its record again (%s → %s)", short(d.RecordOld), short(d.RecordNew)))
			}
		} else {
			out = append(out, "its inputs and BuildKit's op digest were equal, and it ran: its cache entry was gone (pruned or evicted)")
		}
	case ReasonNotImported:
		out = append(out, d.CacheFrom)
	}
	if d.CacheFrom != "" && reason != ReasonNotImported {
		out = append(out, d.CacheFrom)
	}
	if len(d.Pulled) > 0 {
		out = append(out, pulledText(d.Pulled))
	} else if d.PulledUnknown != "" {
		out = append(out, "unknown: "+d.PulledUnknown)
	}
	return out
}

// pulledText names the layers a FROM fetched (with their size) or only
// unpacked.
func pulledText(ls []model.PulledLayer) string {
	var parts []string
	for _, l := range ls {
		switch {
		case l.SizeBytes > 0:
			parts = append(parts, short(l.Digest)+" "+model.HumanSize(l.SizeBytes))
		default:
			parts = append(parts, short(l.Digest)+" unpacked from the builder's store")
		}
	}
	return "pulled " + strings.Join(parts, ", ")
}

// Text is Lines on one line, after the reason code.
func (d *Detail) Text(reason string) string {
	l := d.Lines(reason)
	switch {
	case len(l) == 0:
		return ""
	case reason == ReasonParent || reason == ReasonParentChanged:
		return " " + strings.Join(l, "; ")
	}
	return ": " + strings.Join(l, "; ")
}

func head2(cs []InputFile, n int) []string {
	var out []string
	for i, c := range cs {
		if i == n {
			out = append(out, fmt.Sprintf("and %d more", len(cs)-n))
			break
		}
		switch {
		case c.Old == "":
			out = append(out, fmt.Sprintf("%s added (%s)", c.Path, short(c.New)))
		case c.New == "":
			out = append(out, fmt.Sprintf("%s removed (was %s)", c.Path, short(c.Old)))
		default:
			out = append(out, fmt.Sprintf("%s %s → %s", c.Path, short(c.Old), short(c.New)))
		}
	}
	return out
}

// short is a digest cut to its algorithm and 12 hex digits.
func short(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}
