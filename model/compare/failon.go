package compare

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/docker/go-units"
)

// failOnForms lists the rules --fail-on accepts.
const failOnForms = "use size-increase=N% or size-increase=SIZE, files-added, config-changed, cache-ratio-below=R (0 to 1) or any"

// plainNumber is a number as rules take it: digits, maybe a fraction; not
// NaN, Inf, a sign or an exponent, which ParseFloat also reads.
var plainNumber = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// sizeNumber is a size as rules take it: a plain number of at most 15
// digits (no overflow past int64), then a unit.
var sizeNumber = regexp.MustCompile(`^[0-9]{1,15}(\.[0-9]+)?\s*[a-zA-Z]*$`)

// CompareFacts are what --fail-on rules judge in a comparison of A with B.
type Facts struct {
	SizeA, SizeB   int64
	FilesAdded     int
	ConfigChanges  []string // field names
	CacheRatio     float64  // B's cached/total steps
	HasCache       bool     // B is a build, so CacheRatio means something
	AnyDifferences bool
}

// FailOn judges rules (size-increase=5%, size-increase=20MB, files-added,
// config-changed, cache-ratio-below=0.8, any) against f and returns a
// line per rule that failed. A rule it does not know is an error naming it.
func FailOn(rules []string, f Facts) ([]string, error) {
	var failed []string
	for _, r := range rules {
		name, val, hasVal := strings.Cut(strings.TrimSpace(r), "=")
		if hasVal && (name == "files-added" || name == "config-changed" || name == "any") {
			return nil, fmt.Errorf("--fail-on %q: %s takes no value; %s", r, name, failOnForms)
		}
		switch name {
		case "size-increase":
			if !hasVal {
				return nil, fmt.Errorf("--fail-on %q: give a limit, e.g. size-increase=5%% or size-increase=20MB", r)
			}
			grow := f.SizeB - f.SizeA
			if strings.HasSuffix(val, "%") {
				pct, err := strconv.ParseFloat(strings.TrimSuffix(val, "%"), 64)
				if err != nil || !plainNumber.MatchString(strings.TrimSuffix(val, "%")) {
					return nil, fmt.Errorf("--fail-on %q: %q is not a percentage (e.g. 5%%); %s", r, val, failOnForms)
				}
				if f.SizeA > 0 && float64(grow) > float64(f.SizeA)*pct/100 {
					failed = append(failed, fmt.Sprintf("size-increase=%s: B is %s larger (%.1f%% of A's %s)", val, units.HumanSize(float64(grow)), 100*float64(grow)/float64(f.SizeA), units.HumanSize(float64(f.SizeA))))
				}
				continue
			}
			limit, err := units.FromHumanSize(val)
			if err != nil || !sizeNumber.MatchString(val) || limit < 0 {
				return nil, fmt.Errorf("--fail-on %q: %q is not a size (e.g. 20MB); %s", r, val, failOnForms)
			}
			if grow > limit {
				failed = append(failed, fmt.Sprintf("size-increase=%s: B is %s larger", val, units.HumanSize(float64(grow))))
			}
		case "files-added":
			if f.FilesAdded > 0 {
				failed = append(failed, fmt.Sprintf("files-added: B adds %d files", f.FilesAdded))
			}
		case "config-changed":
			if len(f.ConfigChanges) > 0 {
				failed = append(failed, "config-changed: "+strings.Join(f.ConfigChanges, ", "))
			}
		case "cache-ratio-below":
			min, err := strconv.ParseFloat(val, 64)
			if !hasVal || err != nil || !plainNumber.MatchString(val) || min > 1 {
				return nil, fmt.Errorf("--fail-on %q: give a ratio from 0 to 1, e.g. cache-ratio-below=0.8; %s", r, failOnForms)
			}
			if !f.HasCache {
				return nil, fmt.Errorf("--fail-on %q: B is an image, not a build: compare two builds (build:ID) to judge the cache", r)
			}
			if f.CacheRatio < min {
				failed = append(failed, fmt.Sprintf("cache-ratio-below=%s: B's cache ratio is %.2f", val, f.CacheRatio))
			}
		case "any":
			if f.AnyDifferences {
				failed = append(failed, "any: the two differ")
			}
		default:
			return nil, fmt.Errorf("--fail-on %q: unknown rule; %s", r, failOnForms)
		}
	}
	return failed, nil
}
