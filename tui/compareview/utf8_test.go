package compareview

import "github.com/buildscope/buildscope/tui/common"

// The goldens are the screens of a UTF-8 terminal, whatever the locale
// the tests run under (common.ASCII has its own tests).
func init() { common.ASCII = false }
