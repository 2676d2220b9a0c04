package buildrun

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// InterruptGrace is how long a command may take to wind down after
// Ctrl-C (a canceled build saves its record) before ExitWhenStuck ends
// the process.
const InterruptGrace = 5 * time.Second

// ExitWhenStuck makes Ctrl-C end the process even when a call is blocked
// where no context reaches: opening a FIFO no one writes to (given as -f,
// --secret src= or --export), reading a pipe whose writer never ends.
// Once ctx is done (SIGINT or SIGTERM), it writes one line on stderr and
// calls exit(130) if the command is still running grace later, or at once
// on a second signal. Commands that end in time are not affected. Call it
// once from main with the signal context and os.Exit (a library does not
// end the process itself); it returns immediately.
func ExitWhenStuck(ctx context.Context, grace time.Duration, stderr io.Writer, exit func(code int)) {
	again := make(chan os.Signal, 1)
	go func() {
		<-ctx.Done()
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		t := time.NewTimer(grace)
		select {
		case <-t.C:
			fmt.Fprintf(stderr, "buildscope: interrupted; a call that cannot be canceled was still waiting %s later (a pipe or FIFO nobody writes to?)\n", grace)
		case <-again:
			fmt.Fprintln(stderr, "buildscope: interrupted twice, exiting")
		}
		exit(130)
	}()
}
