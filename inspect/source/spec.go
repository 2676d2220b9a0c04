package source

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/buildscope/buildscope/model"
)

// SpecKind is what an IMAGE spec names, as far as its text alone says.
type SpecKind int

const (
	// SpecBuild is a recorded build: build:ID, build:last or build:last~N.
	SpecBuild SpecKind = iota + 1
	// SpecDocker is an image in the Docker engine's store: docker://NAME.
	SpecDocker
	// SpecPath is written as a path (/…, ./…, ~…, ….tar): an OCI layout
	// or a docker save tar that must exist, never a registry lookup.
	SpecPath
	// SpecName is a file or directory of that name when one exists, else
	// the registry reference Ref.
	SpecName
)

// Spec is an IMAGE spec parsed from its text, with no file system,
// history or network: Open looks at those.
type Spec struct {
	// Raw is the spec as given.
	Raw  string
	Kind SpecKind
	// Build is a SpecBuild's ID (or unique ID prefix), or "last"; Back
	// counts builds before it (build:last~N), 0 for the build itself.
	Build string
	Back  int
	// Name is a SpecDocker's NAME.
	Name string
	// Ref is a SpecName read as a registry reference; nil when it is not
	// one, and RefErr says why.
	Ref    name.Reference
	RefErr error
}

// String is the spec in its canonical form: build:last for build:last~0,
// otherwise as given. ParseSpec reads it back to the same Spec.
func (s Spec) String() string {
	switch {
	case s.Kind == SpecBuild && s.Back > 0:
		return "build:" + s.Build + "~" + strconv.Itoa(s.Back)
	case s.Kind == SpecBuild:
		return "build:" + s.Build
	case s.Kind == SpecDocker:
		return "docker://" + s.Name
	}
	return s.Raw
}

// specHint lists what IMAGE may be, for errors.
const specHint = "IMAGE is build:ID, build:last, build:last~N, an OCI layout directory, a docker save tar, docker://NAME or an image reference"

// ParseSpec reads an IMAGE spec (see Open). Its errors quote the spec
// escaped as model.Printable does, so a spec holding escape sequences or
// line breaks cannot reach the terminal raw.
func ParseSpec(spec string) (Spec, error) {
	s := Spec{Raw: spec}
	shown := model.Printable(spec)
	switch {
	case spec == "":
		return s, fmt.Errorf("IMAGE is empty: %s", specHint)
	case strings.HasPrefix(spec, "build:"):
		s.Kind = SpecBuild
		id := strings.TrimPrefix(spec, "build:")
		if last, back, ok := strings.Cut(id, "~"); ok {
			if last != "last" {
				return s, fmt.Errorf("%s: only build:last counts back (build:last~N); name an earlier build by its ID", shown)
			}
			n, err := strconv.Atoi(back)
			if err != nil || n < 0 || back != strconv.Itoa(n) {
				return s, fmt.Errorf("%s: use build:last~N with N a number of builds back", shown)
			}
			id, s.Back = last, n
		}
		if id == "" {
			return s, fmt.Errorf("%s names no build: use build:ID (`buildscope history ls` lists them) or build:last", shown)
		}
		if strings.IndexFunc(id, notIDRune) >= 0 {
			return s, fmt.Errorf("%s: a build ID is letters, digits, - and _ (`buildscope history ls` lists them)", shown)
		}
		s.Build = id
	case strings.HasPrefix(spec, "docker://"):
		s.Kind, s.Name = SpecDocker, strings.TrimPrefix(spec, "docker://")
		if s.Name == "" {
			return s, fmt.Errorf("%s names no image: use docker://NAME with NAME an image of the Docker engine (`docker images`)", shown)
		}
		if strings.IndexFunc(s.Name, notNameRune) >= 0 {
			return s, fmt.Errorf("%s: an image name of the Docker engine holds no spaces or control characters", shown)
		}
	case pathLike(spec):
		s.Kind = SpecPath
	default:
		s.Kind = SpecName
		if s.Ref, s.RefErr = name.ParseReference(spec); s.RefErr != nil {
			s.Ref = nil
		}
	}
	return s, nil
}

func notIDRune(r rune) bool {
	return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_')
}

func notNameRune(r rune) bool { return r == ' ' || !unicode.IsPrint(r) }

// pathLike says whether spec is written as a path: it starts like one
// (/, ./, ../, ~, .) or ends like an archive (.tar, .tgz, .oci).
func pathLike(spec string) bool {
	for _, p := range []string{"/", "./", "../", "~", "."} {
		if strings.HasPrefix(spec, p) {
			return true
		}
	}
	for _, s := range []string{".tar", ".tar.gz", ".tgz", ".oci"} {
		if strings.HasSuffix(spec, s) {
			return true
		}
	}
	return false
}
