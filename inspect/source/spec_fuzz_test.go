package source

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

// Whatever the spec: no panic; an error is one line with nothing a
// terminal would act on (the spec is quoted escaped); a spec written as a
// path is never a registry reference; and the canonical form reads back
// to the same spec.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{
		"build:last", "build:last~0", "build:last~3", "build:0524017c190f", "build:qbyqtfawrwxx",
		"build:", "build:last~", "build:last~-1", "build:last~01", "build:abc~1", "build:a/b",
		"docker://app:1", "docker://", "docker://sha256:abc", "docker://a b",
		"./out/layout", "/tmp/x.tar", "../img", "~/img.oci", "image.tar", "out.tar.gz",
		"busybox", "127.0.0.1:5015/busybox:latest", "registry.example/app@sha256:" + strings.Repeat("a", 64),
		"Not A Reference!", "", "\x1b]0;pwned\x07", "app\n:1", "build:last~1\x1b[2J", "docker://\x9b31m",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSpec(spec)
		if s.Raw != spec {
			t.Fatalf("Raw %q, want %q", s.Raw, spec)
		}
		if err != nil {
			for _, r := range err.Error() {
				if r == unicode.ReplacementChar || r != ' ' && !unicode.IsPrint(r) {
					t.Fatalf("error %q holds %U: the spec must be quoted escaped", err, r)
				}
			}
			return
		}
		switch s.Kind {
		case SpecBuild:
			if s.Build == "" || s.Back < 0 || s.Ref != nil || s.Back > 0 && s.Build != "last" {
				t.Fatalf("build spec %q read as %+v", spec, s)
			}
		case SpecDocker:
			if s.Name == "" || s.Ref != nil {
				t.Fatalf("docker spec %q read as %+v", spec, s)
			}
		case SpecPath:
			if s.Ref != nil {
				t.Fatalf("path %q read as the reference %s", spec, s.Ref)
			}
		case SpecName:
			if (s.Ref == nil) == (s.RefErr == nil) {
				t.Fatalf("name %q: ref %v and error %v", spec, s.Ref, s.RefErr)
			}
		default:
			t.Fatalf("spec %q of kind %d", spec, s.Kind)
		}
		again, err := ParseSpec(s.String())
		if err != nil {
			t.Fatalf("the canonical form %q of %q: %v", s.String(), spec, err)
		}
		again.Raw, s.Raw = "", ""
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("%q read back as %+v, want %+v", spec, again, s)
		}
	})
}
