package layersview

import "github.com/buildscope/buildscope/tui/common"

// App is the standalone inspector program (buildscope inspect on a
// terminal).
type App = common.App[*Model]

// NewApp returns the program for the image of o.Session, whose analysis
// it shows as it streams in.
func NewApp(o Options) *App {
	return common.NewApp("buildscope inspect", o.Title, func(c common.Common) *Model { return New(c, o) })
}
