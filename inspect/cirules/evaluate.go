package cirules

import (
	"fmt"
	"io"
	"sort"
)

// Status is a rule's outcome.
type Status string

// Outcomes, printed as dive prints them.
const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Measures are the figures the rules judge.
type Measures struct {
	Efficiency        float64
	WastedBytes       int64
	WastedUserPercent float64
}

// Result is one rule's outcome and its explanation.
type Result struct {
	Rule    Rule
	Status  Status
	Message string
}

// Evaluate judges m by every rule, sorted by key as dive prints them, and
// reports whether none failed.
func Evaluate(rules []Rule, m Measures) ([]Result, bool) {
	pass := true
	var out []Result
	for _, r := range rules {
		res := Result{Rule: r, Status: Pass, Message: r.Config}
		switch {
		case r.Disabled:
			res.Status, res.Message = Skip, "disabled"
		case r.Key == KeyLowestEfficiency && r.limit > m.Efficiency:
			res.Status = Fail
			res.Message = fmt.Sprintf("image efficiency is too low (efficiency=%2.2f < threshold=%v)", m.Efficiency, r.Config)
		case r.Key == KeyHighestWastedBytes && float64(m.WastedBytes) > r.limit:
			res.Status = Fail
			res.Message = fmt.Sprintf("too many bytes wasted (wasted-bytes=%d > threshold=%v)", m.WastedBytes, int64(r.limit))
		case r.Key == KeyHighestUserWastedPercent && m.WastedUserPercent > r.limit:
			res.Status = Fail
			res.Message = fmt.Sprintf("too many bytes wasted, relative to the user bytes added (%%-user-wasted-bytes=%2.2f > threshold=%v)", m.WastedUserPercent, r.Config)
		}
		if res.Status == Fail {
			pass = false
		}
		out = append(out, res)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Rule.Key < out[j].Rule.Key })
	return out, pass
}

// WriteEvaluation prints the results and the summary line as dive does:
//
//	  PASS  lowestEfficiency (0.9)
//	  SKIP  highestWastedBytes (disabled)
//
//	PASS [pass:2 skip:1]
func WriteEvaluation(w io.Writer, results []Result, pass bool) error {
	tally := map[Status]int{}
	if _, err := fmt.Fprintln(w, "Evaluation:"); err != nil {
		return err
	}
	for _, r := range results {
		tally[r.Status]++
		if _, err := fmt.Fprintf(w, "  %s  %s (%s)\n", r.Status, r.Rule.Key, r.Message); err != nil {
			return err
		}
	}
	status := Pass
	if !pass {
		status = Fail
	}
	var parts []byte
	for _, s := range []struct {
		name string
		st   Status
	}{{"pass", Pass}, {"fail", Fail}, {"skip", Skip}} {
		if n := tally[s.st]; n > 0 {
			if len(parts) > 0 {
				parts = append(parts, ' ')
			}
			parts = fmt.Appendf(parts, "%s:%d", s.name, n)
		}
	}
	_, err := fmt.Fprintf(w, "\n%s [%s]\n", status, parts)
	return err
}
