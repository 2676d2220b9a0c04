package compareview

import (
	"github.com/buildscope/buildscope/model"
	"github.com/buildscope/buildscope/tui/common"
)

// App is the standalone comparison program (buildscope compare on a
// terminal).
type App = common.App[*Model]

// NewApp returns the program for the comparison of o.Session, titled by
// the two images' specs.
func NewApp(o Options) *App {
	return common.NewApp("buildscope compare", model.Printable(o.A)+" → "+model.Printable(o.B),
		func(c common.Common) *Model { return New(c, o) })
}
