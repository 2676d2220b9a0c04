package common

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"

	tea "charm.land/bubbletea/v2"
)

// Run runs the Bubble Tea program of m on out until it quits or ctx ends
// (an end by ctx is not an error). Nothing else may write to the terminal
// under the UI, so the standard logger is silenced first. started, if not
// nil, is called with the program before it runs, for goroutines that
// send it messages. The program is the user's terminal's: its frames are
// drawn in ASCII when the locale or TERM says the terminal cannot draw
// Unicode (ASCIITerminal, read here, where the program meets it).
func Run(ctx context.Context, out io.Writer, m tea.Model, started func(*tea.Program)) error {
	log.SetOutput(io.Discard)
	p := tea.NewProgram(ForTerminal(m, ASCIITerminal(os.Getenv)), tea.WithContext(ctx), tea.WithOutput(out))
	if started != nil {
		started(p)
	}
	_, err := p.Run()
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("running the UI: %w", err)
	}
	return nil
}
