package build

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Hostile bake files are refused in one line before buildx's parser reads
// them (a stack overflow, an expansion without bound), a group cycle is
// named as one, and the overrides buildx accepts are accepted (they
// panicked inside buildx's parser).
func TestReadBakeHostile(t *testing.T) {
	var dbl strings.Builder
	dbl.WriteString("variable \"v0\" {\n  default = \"x\"\n}\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&dbl, "variable \"v%d\" {\n  default = \"${v%d}${v%d}\"\n}\n", i, i-1, i-1)
	}
	dbl.WriteString("target \"default\" {\n  args = { A = \"${v40}\" }\n}\n")
	deep := strings.Repeat("[", 400000) + strings.Repeat("]", 400000)
	var dblJSON strings.Builder // the same, in JSON
	dblJSON.WriteString(`{"variable": {"v0": {"default": "x"}`)
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&dblJSON, `, "v%d": {"default": "${v%d}${v%d}"}`, i, i-1, i-1)
	}
	dblJSON.WriteString(`}, "target": {"default": {"args": {"A": "${v40}"}}}}`)
	ok := "target \"default\" {\n  context = \"CTX\"\n}\n"
	for _, c := range []struct {
		name, file, content string
		set                 []string
		want                string // the error; "" for none
		check               func(t *testing.T, bk *Bake)
	}{
		{"variables doubling 40 times", "docker-bake.hcl", dbl.String(), nil,
			"bake file FILE: variable v21 can expand to more than 16MiB (it names v20, v20), more than buildscope expands: a variable that names another twice doubles it", nil},
		{"variables doubling 40 times, in JSON", "docker-bake.json", dblJSON.String(), nil,
			"bake file FILE: variable v21 can expand to more than 16MiB (it names v20, v20), more than buildscope expands: a variable that names another twice doubles it", nil},
		{"JSON nested 400k deep", "docker-bake.json", deep, nil,
			"bake file FILE nests more than 200 levels deep (line 1): more than buildscope reads; a bake file needs a few", nil},
		{"HCL nested 400k deep", "docker-bake.hcl", "target \"default\" {\n args = { A = " + deep + " }\n}\n", nil,
			"bake file FILE nests more than 200 levels deep (line 2): more than buildscope reads; a bake file needs a few", nil},
		{"a group cycle", "docker-bake.hcl", "group \"default\" {\n  targets = [\"a\"]\n}\ngroup \"a\" {\n  targets = [\"b\"]\n}\ngroup \"b\" {\n  targets = [\"a\"]\n}\n", nil,
			"bake group a includes itself (a → b → a): a group may name a group, but never one that names it back", nil},
		{"--set output", "docker-bake.hcl", ok, []string{"default.output=type=local,dest=OUT"}, "", func(t *testing.T, bk *Bake) {
			if d := bk.Targets[0].Destinations; len(d) != 1 || !strings.Contains(d[0], "type=local") {
				t.Errorf("destinations %v", d)
			}
		}},
		{"--set cache-to", "docker-bake.hcl", ok, []string{"default.cache-to=type=local,dest=OUT"}, "", func(t *testing.T, bk *Bake) {
			if d := bk.Targets[0].CacheTo; len(d) != 1 || !strings.Contains(d[0], "type=local") {
				t.Errorf("cache-to %v", d)
			}
		}},
		{"--set secrets", "docker-bake.hcl", ok, []string{"default.secrets=id=tok,src=CTX/Dockerfile"}, "", func(t *testing.T, bk *Bake) {
			if d := bk.Targets[0].Secrets; len(d) != 1 || !strings.HasPrefix(d[0], "id=tok") {
				t.Errorf("secrets %v", d)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY Dockerfile /\n"), 0o644)
			file := filepath.Join(dir, c.file)
			os.WriteFile(file, []byte(strings.ReplaceAll(c.content, "CTX", dir)), 0o644)
			var set []string
			for _, s := range c.set {
				set = append(set, strings.NewReplacer("CTX", dir, "OUT", filepath.Join(dir, "out")).Replace(s))
			}
			bk, err := readBakeHere(BakeOptions{Files: []string{file}, Set: set})
			if c.want != "" {
				if want := strings.ReplaceAll(c.want, "FILE", file); err == nil || err.Error() != want {
					t.Errorf("err %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, bk)
		})
	}
}
