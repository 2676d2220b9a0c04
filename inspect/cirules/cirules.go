// Package cirules is the CI gate of `buildscope inspect --ci`: dive's
// three rules (lowestEfficiency, highestWastedBytes,
// highestUserWastedPercent) read from a .dive-ci file or flags, with dive's
// defaults, "disabled" values and size strings.
package cirules

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	units "github.com/docker/go-units"
	"go.yaml.in/yaml/v3"
)

// Rule keys, as dive names them.
const (
	KeyLowestEfficiency         = "lowestEfficiency"
	KeyHighestWastedBytes       = "highestWastedBytes"
	KeyHighestUserWastedPercent = "highestUserWastedPercent"
)

// Config holds the rules' configured values as written ("0.9", "20MB",
// "disabled").
type Config struct {
	LowestEfficiency         string `yaml:"lowestEfficiency"`
	HighestWastedBytes       string `yaml:"highestWastedBytes"`
	HighestUserWastedPercent string `yaml:"highestUserWastedPercent"`
}

// Defaults are dive's defaults.
func Defaults() Config {
	return Config{LowestEfficiency: "0.9", HighestWastedBytes: "disabled", HighestUserWastedPercent: "0.1"}
}

// Load reads a .dive-ci file over the defaults. A missing file is not an
// error (found is false), as in dive. Both dive's legacy camelCase keys
// and its snake-case keys are read.
func Load(path string) (c Config, found bool, err error) {
	c = Defaults()
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, false, nil
	}
	if err != nil {
		return c, false, fmt.Errorf("reading CI config %s: %w", path, err)
	}
	var file struct {
		Rules map[string]yaml.Node `yaml:"rules"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return c, true, fmt.Errorf("reading CI config %s: %w", path, err)
	}
	for k, v := range file.Rules {
		var dst *string
		switch k {
		case KeyLowestEfficiency, "lowest-efficiency":
			dst = &c.LowestEfficiency
		case KeyHighestWastedBytes, "highest-wasted-bytes":
			dst = &c.HighestWastedBytes
		case KeyHighestUserWastedPercent, "highest-user-wasted-percent":
			dst = &c.HighestUserWastedPercent
		default:
			return c, true, fmt.Errorf("CI config %s: unknown rule %q (known: %s, %s, %s)", path, k,
				KeyLowestEfficiency, KeyHighestWastedBytes, KeyHighestUserWastedPercent)
		}
		*dst = v.Value
	}
	return c, true, nil
}

// Rule is one parsed rule; a disabled rule has Disabled set.
type Rule struct {
	Key      string
	Config   string // the value as configured
	Disabled bool
	limit    float64
}

// Rules parses the configured values as dive does: "", "disabled", "off"
// and "false" disable a rule; ratios must be within 0-1; wasted bytes
// take a size string ("20MB" is 20,000,000 bytes, "20MiB" 20×2^20, a bare
// number is bytes). All errors are reported together.
func (c Config) Rules() ([]Rule, error) {
	var errs []error
	parse := func(key, v string, ratio bool) Rule {
		r := Rule{Key: key, Config: v}
		s := strings.TrimSpace(strings.ToLower(v))
		if s == "" || s == "disabled" || s == "off" || s == "false" {
			r.Disabled, r.Config = true, "disabled"
			return r
		}
		var err error
		if ratio {
			r.limit, err = strconv.ParseFloat(s, 64)
			if err == nil && (r.limit < 0 || r.limit > 1) {
				err = fmt.Errorf("outside the allowed range 0-1")
			}
		} else {
			r.limit, err = parseBytes(s)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("invalid %s value %q: %w", key, v, err))
		}
		return r
	}
	rules := []Rule{
		parse(KeyLowestEfficiency, c.LowestEfficiency, true),
		parse(KeyHighestWastedBytes, c.HighestWastedBytes, false),
		parse(KeyHighestUserWastedPercent, c.HighestUserWastedPercent, true),
	}
	return rules, errors.Join(errs...)
}

// parseBytes reads a size as dive's humanize.ParseBytes does: SI units
// ("MB", "M") are powers of 1000, IEC units ("MiB") powers of 1024.
func parseBytes(s string) (float64, error) {
	s = strings.ReplaceAll(s, " ", "")
	var n int64
	var err error
	if strings.HasSuffix(s, "ib") {
		n, err = units.RAMInBytes(strings.TrimSuffix(s, "ib"))
	} else {
		n, err = units.FromHumanSize(s)
	}
	if err != nil {
		return 0, err
	}
	return float64(n), nil
}

// Override returns c with the values of o whose keys set reports as given
// (command-line flags win over the file).
func (c Config) Override(o Config, set func(key string) bool) Config {
	if set(KeyLowestEfficiency) {
		c.LowestEfficiency = o.LowestEfficiency
	}
	if set(KeyHighestWastedBytes) {
		c.HighestWastedBytes = o.HighestWastedBytes
	}
	if set(KeyHighestUserWastedPercent) {
		c.HighestUserWastedPercent = o.HighestUserWastedPercent
	}
	return c
}

// LoadRules are the rules of the .dive-ci file path over dive's defaults,
// with the values of flags whose keys set reports as given on top.
func LoadRules(path string, flags Config, set func(key string) bool) ([]Rule, error) {
	c, _, err := Load(path)
	if err != nil {
		return nil, err
	}
	rules, err := c.Override(flags, set).Rules()
	if err != nil {
		return nil, fmt.Errorf("CI rules: %w", err)
	}
	return rules, nil
}
