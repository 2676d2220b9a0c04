package cirules

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), ".dive-ci")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadAndDefaults(t *testing.T) {
	c, found, err := Load(filepath.Join(t.TempDir(), "missing"))
	if err != nil || found || c != Defaults() {
		t.Fatalf("missing file: %+v %v %v", c, found, err)
	}
	c, found, err = Load(write(t, "rules:\n  lowestEfficiency: 0.95\n  highestWastedBytes: 20MB\n"))
	if err != nil || !found {
		t.Fatal(found, err)
	}
	if c.LowestEfficiency != "0.95" || c.HighestWastedBytes != "20MB" || c.HighestUserWastedPercent != "0.1" {
		t.Errorf("loaded %+v", c)
	}
	c, _, err = Load(write(t, "rules:\n  highest-user-wasted-percent: disabled\n"))
	if err != nil || c.HighestUserWastedPercent != "disabled" {
		t.Errorf("snake case: %+v %v", c, err)
	}
	if _, _, err := Load(write(t, "rules:\n  lowestEfficency: 0.9\n")); err == nil || !strings.Contains(err.Error(), `unknown rule "lowestEfficency"`) {
		t.Errorf("misspelt rule: %v", err)
	}
}

func TestRulesParseLikeDive(t *testing.T) {
	rules, err := Config{LowestEfficiency: "off", HighestWastedBytes: "20MiB", HighestUserWastedPercent: " Disabled "}.Rules()
	if err != nil {
		t.Fatal(err)
	}
	if !rules[0].Disabled || rules[1].Disabled || rules[1].limit != 20*1024*1024 || !rules[2].Disabled {
		t.Errorf("rules %+v", rules)
	}
	for in, want := range map[string]float64{"20MB": 20e6, "20 mb": 20e6, "1k": 1000, "123": 123, "1.5GB": 1.5e9, "2kib": 2048} {
		rules, err := Config{HighestWastedBytes: in}.Rules()
		if err != nil || rules[1].limit != want {
			t.Errorf("%q: %v %v, want %v", in, rules[1].limit, err, want)
		}
	}
	_, err = Config{LowestEfficiency: "1.5", HighestWastedBytes: "lots", HighestUserWastedPercent: "x"}.Rules()
	for _, want := range []string{"lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func TestEvaluate(t *testing.T) {
	rules, _ := Config{LowestEfficiency: "0.9", HighestWastedBytes: "1kB", HighestUserWastedPercent: "disabled"}.Rules()
	res, pass := Evaluate(rules, Measures{Efficiency: 0.95, WastedBytes: 1001, WastedUserPercent: 0.5})
	if pass {
		t.Error("passed with 1001 wasted bytes over 1kB")
	}
	var buf bytes.Buffer
	if err := WriteEvaluation(&buf, res, pass); err != nil {
		t.Fatal(err)
	}
	want := "Evaluation:\n" +
		"  SKIP  highestUserWastedPercent (disabled)\n" +
		"  FAIL  highestWastedBytes (too many bytes wasted (wasted-bytes=1001 > threshold=1000))\n" +
		"  PASS  lowestEfficiency (0.9)\n" +
		"\nFAIL [pass:1 fail:1 skip:1]\n"
	if buf.String() != want {
		t.Errorf("report:\n%s\nwant\n%s", buf.String(), want)
	}
	if _, pass := Evaluate(rules, Measures{Efficiency: 0.9, WastedBytes: 1000}); !pass {
		t.Error("failed at the limits")
	}
}

// Flags given on the command line win over the file; the others keep the
// file's values.
func TestOverride(t *testing.T) {
	file := Config{LowestEfficiency: "0.8", HighestWastedBytes: "10MB", HighestUserWastedPercent: "0.2"}
	flags := Config{LowestEfficiency: "0.95", HighestWastedBytes: "disabled", HighestUserWastedPercent: "0.5"}
	got := file.Override(flags, func(k string) bool { return k == KeyHighestWastedBytes })
	want := Config{LowestEfficiency: "0.8", HighestWastedBytes: "disabled", HighestUserWastedPercent: "0.2"}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}
