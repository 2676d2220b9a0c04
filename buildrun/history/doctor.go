package history

import (
	"fmt"
	"io"
)

// Doctor writes the damaged records of h to w and, with fix, removes
// them; it returns how many were damaged (and are left, without fix).
func (h History) Doctor(w io.Writer, fix bool) (int, error) {
	good, damaged, err := h.Scan()
	if err != nil {
		return 0, err
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
	fmt.Fprintf(w, "%d records readable, %d damaged\n", len(good), len(damaged))
	return len(damaged), nil
}
