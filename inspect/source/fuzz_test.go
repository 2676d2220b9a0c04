package source

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// The fuzz targets write what they are given as the JSON documents of an
// OCI layout or a docker save archive around one real layer, and open it
// as `inspect` does. Placeholders let the fuzzer name the blobs by their
// digests, which it could never guess: @LAYER@, @CONFIG@, @MANIFEST@ and
// @SUB@ (a second index, made of the index document itself) become a
// digest, @LAYER_SIZE@ and the like a size, @DIFFID@ the layer's diff_id.
//
// Whatever the input: no panic, no hang, and an error is one line.

const (
	seedIndex = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[` +
		`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@MANIFEST@","size":@MANIFEST_SIZE@,"platform":{"os":"linux","architecture":"amd64"}}]}`
	seedNested = `{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json","digest":"@SUB@","size":@SUB_SIZE@},` +
		`{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"@MANIFEST@","size":@MANIFEST_SIZE@}]}`
	seedManifest = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",` +
		`"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"@CONFIG@","size":@CONFIG_SIZE@},` +
		`"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"@LAYER@","size":@LAYER_SIZE@}]}`
	seedConfig = `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["@DIFFID@"]},` +
		`"history":[{"created_by":"RUN make"}]}`
	seedSave = `[{"Config":"config.json","RepoTags":["app:1"],"Layers":["l0/layer.tar"]}]`
)

// fuzzLayer is the one real layer, as a tar and gzip'd.
func fuzzLayer(t *testing.T) (tarball, blob []byte) {
	tb := tarOf(t, map[string]string{"etc/motd": "hello"})
	return tb, gz(tb)
}

func FuzzOpenLayout(f *testing.F) {
	f.Add(seedIndex, seedManifest, seedConfig)
	f.Add(seedNested, seedManifest, seedConfig)
	f.Add(seedIndex, strings.Replace(seedManifest, `"size":@LAYER_SIZE@`, `"size":3`, 1), seedConfig)
	f.Add(seedIndex, seedManifest, strings.Replace(seedConfig, `"@DIFFID@"`, `"@DIFFID@","@DIFFID@"`, 1))
	f.Add(strings.Replace(seedIndex, "@MANIFEST@", "@SUB@", 1), seedManifest, seedConfig)
	f.Fuzz(func(t *testing.T, index, manifest, config string) {
		tb, blob := fuzzLayer(t)
		l := newRawLayout(t)
		sub := map[string]string{"@DIFFID@": digestOf(tb).String()}
		put := func(name, doc string) string {
			for k, v := range sub {
				doc = strings.ReplaceAll(doc, k, v)
			}
			d := l.put([]byte(doc), v1.Hash{})
			sub["@"+name+"@"], sub["@"+name+"_SIZE@"] = d.Digest.String(), strconv.FormatInt(d.Size, 10)
			return doc
		}
		d := l.put(blob, v1.Hash{})
		sub["@LAYER@"], sub["@LAYER_SIZE@"] = d.Digest.String(), strconv.FormatInt(d.Size, 10)
		put("CONFIG", config)
		put("MANIFEST", manifest)
		put("SUB", strings.ReplaceAll(index, "@SUB@", "@MANIFEST@"))
		for k, v := range sub {
			index = strings.ReplaceAll(index, k, v)
		}
		if err := os.WriteFile(filepath.Join(l.dir, "index.json"), []byte(index), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := openAndRead(t, l.dir); err != nil && index == seedIndex && manifest == seedManifest && config == seedConfig {
			t.Fatalf("the good seed: %v", err)
		}
	})
}

func FuzzOpenArchive(f *testing.F) {
	f.Add(seedSave, seedConfig)
	f.Add(`[{"Config":"config.json","Layers":["l0/layer.tar","l0/layer.tar"]}]`, seedConfig)
	f.Add(`[{"Config":"l0/layer.tar","Layers":["config.json"]}]`, seedConfig)
	f.Add(`[{"Config":"config.json","Layers":["l0/layer.tar"]},{"Config":"config.json","Layers":[]}]`, seedConfig)
	f.Fuzz(func(t *testing.T, manifest, config string) {
		tb, _ := fuzzLayer(t)
		config = strings.ReplaceAll(config, "@DIFFID@", digestOf(tb).String())
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		for _, m := range []struct {
			name string
			b    []byte
		}{{"manifest.json", []byte(manifest)}, {"config.json", []byte(config)}, {"l0/layer.tar", tb}} {
			tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.b)), Typeflag: tar.TypeReg})
			tw.Write(m.b)
		}
		tw.Close()
		p := filepath.Join(t.TempDir(), "save.tar")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := openAndRead(t, p); err != nil && manifest == seedSave && config == seedConfig {
			t.Fatalf("the good seed: %v", err)
		}
	})
}

// openAndRead opens spec and reads all of it as inspect does, and
// returns the first error; every error must be one line.
func openAndRead(t *testing.T, spec string) error {
	var first error
	oneLine := func(what string, err error) bool {
		if err != nil && strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("%s: an error of more than one line: %q", what, err)
		}
		if first == nil {
			first = err
		}
		return err == nil
	}
	img, err := Open(context.Background(), spec, Options{})
	if !oneLine("open", err) {
		return first
	}
	defer img.Close()
	_, err = img.ConfigFile()
	oneLine("config", err)
	_, err = img.Size()
	oneLine("size", err)
	oneLine("layers", readLayers(img))
	return first
}
