package builder

import (
	"fmt"
	"strings"

	"github.com/buildscope/buildscope/model"
)

// Text is the status as `buildscope builder status` prints it.
func (st EmbeddedStatus) Text() string {
	state := "stopped"
	if st.Running {
		state = fmt.Sprintf("running (pid %d, BuildKit %s)", st.PID, st.Version)
	} else if st.Problem != "" {
		state = "not answering: " + st.Problem
	}
	var b strings.Builder
	fmt.Fprintf(&b, "embedded builder: %s\n  address %s\n  root    %s\n  log     %s\n", state, st.Address, st.Root, st.Log)
	if st.Running {
		fmt.Fprintf(&b, "  cache   %s\n", model.HumanSize(st.CacheBytes))
	}
	return b.String()
}

// Text is the outcome as `buildscope builder prune` prints it.
func (p *Pruned) Text() string {
	s := fmt.Sprintf("pruned %d cache records, %s freed\n", p.Records, model.HumanSize(p.FreedBytes))
	if p.HistoryRecords > 0 {
		s += fmt.Sprintf("deleted %d of BuildKit's own build records (their blobs go when BuildKit collects them)\n", p.HistoryRecords)
	}
	return s + "kept: buildscope's history and results store (every record, and its image: build:ID still opens; why says which steps lost their cache): `buildscope history prune` removes old records\n"
}
