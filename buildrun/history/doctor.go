package history

import (
	"fmt"
	"io"
)

// Doctor writes the damaged records of h to w and, with fix, removes
// them; it returns how many were damaged (and are left, without fix).
// Records of a newer schema are named, and never removed: they are not
// damaged.
func (h History) Doctor(w io.Writer, fix bool) (int, error) {
	good, all, err := h.Scan()
	if err != nil {
		return 0, err
	}
	var damaged []*DamagedRecord
	for _, d := range all {
		if d.Newer() {
			fmt.Fprintf(w, "newer: %s (%s)\n", d.ID, d.Err)
			continue
		}
		damaged = append(damaged, d)
	}
	for _, d := range damaged {
		if !fix {
			fmt.Fprintf(w, "damaged: %s (%s: %v)\n", d.ID, d.Path, d.Err)
			continue
		}
		if _, err := h.Remove(d.ID); err != nil {
			return len(damaged), err
		}
		fmt.Fprintf(w, "removed damaged record %s (%v)\n", d.ID, d.Err)
	}
	fmt.Fprintf(w, "%d records readable, %d damaged", len(good), len(damaged))
	if n := len(all) - len(damaged); n > 0 {
		fmt.Fprintf(w, ", %d of a newer schema", n)
	}
	fmt.Fprintln(w)
	return len(damaged), nil
}
