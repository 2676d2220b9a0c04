package cirules

// Verdict is the JSON of the rules' outcome (`inspect --ci --json`'s "ci").
type Verdict struct {
	Pass  bool          `json:"pass"`
	Rules []RuleOutcome `json:"rules"`
}

// RuleOutcome is one rule of a Verdict.
type RuleOutcome struct {
	Rule    string `json:"rule"`
	Status  string `json:"status"`
	Message string `json:"message"`
}

// NewVerdict is the verdict of Evaluate's results.
func NewVerdict(results []Result, pass bool) *Verdict {
	v := &Verdict{Pass: pass}
	for _, r := range results {
		v.Rules = append(v.Rules, RuleOutcome{Rule: r.Rule.Key, Status: string(r.Status), Message: r.Message})
	}
	return v
}
