package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	dockerclient "github.com/moby/moby/client"

	"github.com/buildscope/buildscope/buildrun/testdeps"
)

// engineClient connects to the real engine; it skips without one, unless
// make test demands one (BUILDSCOPE_REQUIRE_DOCKER=1).
func engineClient(t *testing.T) *dockerclient.Client {
	t.Helper()
	dc, err := Connect(context.Background())
	testdeps.Need(t, err == nil, fmt.Sprintf("no Docker engine: %v", err))
	t.Cleanup(func() { dc.Close() })
	return dc
}

func TestStreamError(t *testing.T) {
	for _, tc := range []struct{ name, stream, want string }{
		{"ok", `{"stream":"Loaded image: a:1\n"}` + "\n", ""},
		{"empty", "", ""},
		{"error", `{"stream":"x"}{"errorDetail":{"message":"bad tar"},"error":"bad tar"}`, "bad tar"},
		{"detail only", `{"errorDetail":{"message":"only detail"}}`, "only detail"},
		{"garbage", `{"stream":`, "reading the engine's answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := readStream(strings.NewReader(tc.stream), nil)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// A push stream's aux payloads (the digest the registry holds) reach the
// caller; an error after them still fails.
func TestStreamAux(t *testing.T) {
	var got []string
	stream := `{"status":"Pushed"}{"aux":{"Tag":"1","Digest":"sha256:ab","Size":528}}`
	if err := readStream(strings.NewReader(stream), func(a json.RawMessage) { got = append(got, string(a)) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.Contains(got[0], `"Digest":"sha256:ab"`) {
		t.Errorf("aux %v", got)
	}
	if err := readStream(strings.NewReader(stream+`{"error":"denied"}`), func(json.RawMessage) {}); err == nil || err.Error() != "denied" {
		t.Errorf("error after aux: %v", err)
	}
}

// TestLoadBrokenTarFails loads a tar the engine cannot take. The engine
// answers 200 and reports the failure inside its response stream; the
// error must come back, with the message the engine gives `docker load`
// for the same bytes.
func TestLoadBrokenTarFails(t *testing.T) {
	dc := engineClient(t)
	broken := []byte("this is not a tar archive, and not a docker save either\n")
	file := filepath.Join(t.TempDir(), "broken.tar")
	if err := os.WriteFile(file, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	out, cliErr := exec.Command("docker", "load", "-i", file).CombinedOutput()
	if cliErr == nil {
		t.Fatalf("docker load took the broken tar: %s", out)
	}
	engineMsg := strings.TrimSpace(string(out))

	err := LoadTar(context.Background(), dc, strings.NewReader(string(broken)))
	if err == nil {
		t.Fatal("LoadTar returned no error for a broken tar")
	}
	if err.Error() != engineMsg {
		t.Fatalf("LoadTar: %q\nwant the engine's message, as docker load prints it: %q", err, engineMsg)
	}
}

// TestLoadAndSave loads an image, saves it back and reads the same layers;
// the saved tar is gone once closed.
func TestLoadAndSave(t *testing.T) {
	dc := engineClient(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag("buildscope-engine-test:" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := Load(ctx, dc, img, tag); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = dc.ImageRemove(ctx, tag.String(), dockerclient.ImageRemoveOptions{Force: true}) })
	saved, err := Save(ctx, dc, tag.String())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.ConfigName()
	got, err := saved.ConfigName()
	if err != nil || got != want {
		t.Errorf("saved config %s (%v), loaded %s", got, err, want)
	}
	if files, _ := filepath.Glob(filepath.Join(tmp, "buildscope-save-*.tar")); len(files) != 1 {
		t.Errorf("while open, temp files %v, want one", files)
	}
	if err := saved.Close(); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(tmp, "*")); len(files) != 0 {
		t.Errorf("after Close, temp files %v are left", files)
	}
}

// TestSaveMissingLeavesNoFile asks for an image the engine does not have.
func TestSaveMissingLeavesNoFile(t *testing.T) {
	dc := engineClient(t)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	if s, err := Save(context.Background(), dc, "buildscope-engine-test:does-not-exist"); err == nil {
		s.Close()
		t.Fatal("Save of a missing image succeeded")
	}
	if files, _ := filepath.Glob(filepath.Join(tmp, "*")); len(files) != 0 {
		t.Errorf("temp files %v are left after a failed save", files)
	}
}
