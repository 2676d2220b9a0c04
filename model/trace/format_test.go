package trace

import (
	"strings"
	"testing"
)

func TestWriteTraceFormats(t *testing.T) {
	tl := &Timeline{}
	var buf strings.Builder
	if err := tl.WriteTrace(&buf, "svg", true); err == nil || !strings.Contains(err.Error(), `invalid --format "svg"`) {
		t.Errorf("--format svg: %v", err)
	}
	if err := tl.WriteTrace(&buf, "", true); err != nil || !strings.HasPrefix(buf.String(), "{\n  ") {
		t.Errorf("--json: %q, %v", buf.String(), err)
	}
	buf.Reset()
	if err := tl.WriteTrace(&buf, "chrome", true); err != nil || !strings.Contains(buf.String(), "traceEvents") {
		t.Errorf("--format chrome wins over --json: %q, %v", buf.String(), err)
	}
}
