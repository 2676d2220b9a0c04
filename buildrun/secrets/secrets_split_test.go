package secrets

import (
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

func redactorOf(t *testing.T, values ...string) *Redactor {
	t.Helper()
	var specs []string
	for i, v := range values {
		name := "BS_SPLIT_SECRET_" + string(rune('A'+i))
		t.Setenv(name, v)
		specs = append(specs, "id=s"+string(rune('a'+i))+",env="+name)
	}
	r, err := NewRedactor(specs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const stepA, stepB = digest.Digest("sha256:aaaa"), digest.Digest("sha256:bbbb")

// logs sends writes through r, one status each, and returns what each
// stream carried, in order, keyed "vertex/stream".
type streams map[string]string

func (ss streams) add(s *client.SolveStatus) {
	for _, l := range s.Logs {
		ss[string(l.Vertex)+"/"+string(rune('0'+l.Stream))] += string(l.Data)
	}
}

func write(r *Redactor, ss streams, v digest.Digest, stream int, data string) {
	s := &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: v, Stream: stream, Data: []byte(data)}}}
	r.Status(s)
	ss.add(s)
}

func complete(r *Redactor, ss streams, v digest.Digest) {
	now := time.Now()
	s := &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: v, Completed: &now}}}
	r.Status(s)
	ss.add(s)
}

// A secret printed in two writes (head -c 5; sleep; tail) is redacted.
func TestRedactSecretSplitAcrossWrites(t *testing.T) {
	r := redactorOf(t, "s3cr3t-value")
	ss := streams{}
	write(r, ss, stepA, 1, "token=s3cr3")
	if got := ss["sha256:aaaa/1"]; got != "token=" {
		t.Errorf("first write passed %q, want the start of the secret held back", got)
	}
	write(r, ss, stepA, 1, "t-value\nnext\n")
	if got := ss["sha256:aaaa/1"]; got != "token=****\nnext\n" {
		t.Errorf("stream %q", got)
	}
	// byte by byte
	for _, c := range "x s3cr3t-value y" {
		write(r, ss, stepB, 2, string(c))
	}
	complete(r, ss, stepB)
	if got := ss["sha256:bbbb/2"]; got != "x **** y" {
		t.Errorf("byte-by-byte stream %q", got)
	}
}

// What was held back is released, unredacted when it was no secret, when
// the step ends or the build does; streams are never joined.
func TestRedactHeldTailReleased(t *testing.T) {
	r := redactorOf(t, "s3cr3t-value")
	ss := streams{}
	write(r, ss, stepA, 1, "out s3c")
	write(r, ss, stepA, 2, "r3t-value")      // another stream of the step: no join
	write(r, ss, stepB, 1, "tail s3cr3t-va") // held until the build ends
	complete(r, ss, stepA)
	if ss["sha256:aaaa/1"] != "out s3c" || ss["sha256:aaaa/2"] != "r3t-value" {
		t.Errorf("after the step ended: %q", ss)
	}
	f := r.Flush()
	if f == nil {
		t.Fatal("nothing flushed")
	}
	r.Status(f) // the flushed status passes as it is
	ss.add(f)
	if got := ss["sha256:bbbb/1"]; got != "tail s3cr3t-va" {
		t.Errorf("flushed %q", got)
	}
	if r.Flush() != nil {
		t.Error("a second Flush returned data again")
	}
}

// Of two secrets, one the start of the other, the longer is redacted
// whole even when split.
func TestRedactLongestSecret(t *testing.T) {
	r := redactorOf(t, "abcd", "abcdefgh")
	ss := streams{}
	write(r, ss, stepA, 1, "xx abcd")
	write(r, ss, stepA, 1, "efgh yy abcd zz")
	complete(r, ss, stepA)
	if got := ss["sha256:aaaa/1"]; got != "xx **** yy **** zz" {
		t.Errorf("stream %q", got)
	}
	if got := r.String("RUN echo abcdefgh abcd"); got != "RUN echo **** ****" {
		t.Errorf("step name %q", got)
	}
}

// Builds that run side by side with the same options keep their streams
// apart even for a step they share.
func TestRedactForBuildSeparatesStreams(t *testing.T) {
	r := redactorOf(t, "s3cr3t-value")
	a, b := r.ForBuild(), r.ForBuild()
	sa, sb := streams{}, streams{}
	write(a, sa, stepA, 1, "s3cr3")
	write(b, sb, stepA, 1, "s3cr3")
	write(a, sa, stepA, 1, "t-value")
	complete(b, sb, stepA)
	complete(a, sa, stepA)
	if sa["sha256:aaaa/1"] != "****" || sb["sha256:aaaa/1"] != "s3cr3" {
		t.Errorf("build a %q, build b %q", sa, sb)
	}
}

// A secret shorter than MinSecretBytes is refused, naming it, before it
// can rewrite step names and records.
func TestRedactorRefusesShortSecret(t *testing.T) {
	t.Setenv("BS_SHORT_SECRET", "ab\n")
	_, err := NewRedactor([]string{"id=tiny,env=BS_SHORT_SECRET"})
	want := `secret "tiny" is 2 bytes long: secrets shorter than 4 bytes cannot be redacted from build output without rewriting ordinary text; use a longer value`
	if err == nil || err.Error() != want {
		t.Errorf("short secret: %v", err)
	}
	t.Setenv("BS_EMPTY_SECRET_VAR", "")
	if _, err := NewRedactor([]string{"id=ok,env=BS_EMPTY_SECRET_VAR"}); err != nil {
		t.Errorf("an empty secret is not a short one: %v", err)
	}
}
