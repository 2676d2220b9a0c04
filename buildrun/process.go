package buildrun

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/sirupsen/logrus"
)

// SetupLogging sends the logs of BuildKit's client libraries to the
// --debug file path, never to the terminal ("": nowhere).
func SetupLogging(path string) error {
	if path == "" {
		logrus.SetOutput(io.Discard)
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("opening debug log %s: %w", path, err)
	}
	logrus.SetOutput(f)
	logrus.SetLevel(logrus.DebugLevel)
	return nil
}

// LimitMemory sets the Go heap limit the build UI runs under, 150 MiB,
// unless the user set GOMEMLIMIT: step logs are capped, and the limit
// makes the collector return the garbage of streamed output before the
// process grows past it.
func LimitMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(150 << 20)
	}
}
