// Package buildtext prints whole builds as the CLI shows them without a
// terminal: a record as `history show` prints it (Text), the history
// table, the one line after a build and a bake's summary.
package buildtext
