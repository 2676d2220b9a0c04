package secrets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

func TestRedactorFromFileAndEnv(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s")
	os.WriteFile(file, []byte("file-secret\n"), 0o600)
	t.Setenv("BS_TEST_SECRET", "env-secret")
	r, err := NewRedactor([]string{"id=a,src=" + file, "id=b,env=BS_TEST_SECRET", "type=env,id=c,src=BS_TEST_SECRET"})
	if err != nil {
		t.Fatal(err)
	}
	s := &client.SolveStatus{
		Vertexes: []*client.Vertex{{Name: "RUN echo file-secret", Error: "failed: env-secret"}},
		Logs:     []*client.VertexLog{{Data: []byte("value=file-secret\nother=env-secret\n")}},
		Warnings: []*client.VertexWarning{{Short: []byte("env-secret"), Detail: [][]byte{[]byte("x file-secret")}}},
	}
	r.Status(s)
	all := s.Vertexes[0].Name + s.Vertexes[0].Error + string(s.Logs[0].Data) + string(s.Warnings[0].Short) + string(s.Warnings[0].Detail[0])
	if strings.Contains(all, "secret") {
		t.Errorf("secret left after redaction: %q", all)
	}
	if got := string(s.Logs[0].Data); got != "value=****\nother=****\n" {
		t.Errorf("logs %q", got)
	}
}

func TestRedactorErrors(t *testing.T) {
	if _, err := NewRedactor([]string{"id=a,src=/nonexistent/secret"}); err == nil || !strings.Contains(err.Error(), `reading secret "a"`) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := NewRedactor([]string{"id=a,bogus"}); err == nil || !strings.Contains(err.Error(), "key=value") {
		t.Errorf("bad field: %v", err)
	}
}

// A secret naming an environment variable that is not set is refused
// before the build (it was mounted empty and the build went on), and so
// is a bare id that names neither a file nor a variable.
func TestRedactorRefusesUnsetVariable(t *testing.T) {
	t.Chdir(t.TempDir())
	for spec, want := range map[string]string{
		"id=tok,env=BS_NEVER_SET_VAR":      `secret "tok": environment variable BS_NEVER_SET_VAR is not set: set it (an empty value is allowed) or pass src=FILE`,
		"type=env,id=tok,src=BS_NEVER_SET": `secret "tok": environment variable BS_NEVER_SET is not set: set it (an empty value is allowed) or pass src=FILE`,
		"id=BS_NEVER_SET_ID":               `secret "BS_NEVER_SET_ID": there is no file BS_NEVER_SET_ID and no environment variable BS_NEVER_SET_ID: pass id=BS_NEVER_SET_ID,src=FILE or id=BS_NEVER_SET_ID,env=VAR`,
	} {
		if _, err := NewRedactor([]string{spec}); err == nil || err.Error() != want {
			t.Errorf("--secret %s:\n got %v\nwant %s", spec, err, want)
		}
	}
	t.Setenv("BS_SET_ID", "a value")
	if _, err := NewRedactor([]string{"id=BS_SET_ID"}); err != nil {
		t.Errorf("a bare id naming a set variable: %v", err)
	}
}
