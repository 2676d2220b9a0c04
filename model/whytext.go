package model

import (
	"fmt"
	"strings"
)

// DetailText renders a reason's detail in one line, after the reason code:
// what the plain `why` output and the build UI's cache view both show.
func DetailText(reason string, d map[string]any) string {
	switch reason {
	case ReasonContext:
		files, _ := d["files"].([]string)
		if d["selected"] == true {
			return ": " + strings.Join(head(files, 5), ", ") + " (the paths the step selects: the builder keeps no per-file digests)"
		}
		return ": " + strings.Join(head(files, 5), ", ")
	case ReasonNamedContext:
		files, _ := d["files"].([]string)
		return fmt.Sprintf(": context %v: %s", d["context"], strings.Join(head(files, 5), ", "))
	case ReasonBuildArg:
		return fmt.Sprintf(": %v %q → %q", d["arg"], d["old"], d["new"])
	case ReasonEnv:
		return fmt.Sprintf(": %v %q → %q", d["var"], d["old"], d["new"])
	case ReasonInstruction:
		return fmt.Sprintf(": was %q", d["old"])
	case ReasonBase:
		return fmt.Sprintf(": %v %v → %v", d["image"], d["old"], d["new"])
	case ReasonParent, ReasonParentChanged:
		return fmt.Sprintf(" ← %v", d["root"])
	case ReasonNoCache:
		return fmt.Sprintf(" (%v)", d["flag"])
	case ReasonPlatform:
		return fmt.Sprintf(": %v → %v", d["old"], d["new"])
	case ReasonUnknown:
		return fmt.Sprintf(": unknown: %v", d["missing"])
	case ReasonEvicted:
		return ": its inputs and BuildKit's op digest were equal, and it ran: its cache entry was gone (pruned or evicted)"
	}
	return ""
}
