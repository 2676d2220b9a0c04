package buildrun

import (
	"fmt"
	"io"
	"os"

	"github.com/sirupsen/logrus"
)

// SetupLogging sends the logs of BuildKit's client libraries (logrus) to
// the file at path (--debug), never to the terminal; "" discards them.
// main calls it once, before any command runs.
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
