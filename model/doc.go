// Package model is buildscope's build record: a Build with its stages,
// steps and image, and every plain type the record holds (cache keys and
// imports, cache mounts, origin, advice, the critical path in brief), with
// the record's JSON (WriteJSON, the file lists kept beside it), the
// history list's rows, and the text helpers every output shares
// (Printable, HumanSize). It does no I/O and knows no UI; the JSON
// encoding of these types is the CLI's contract (see DESIGN.md).
//
// What reads or makes a record lives in model's subpackages, each
// importing only those below it: dockerfile, fold, why, trace, compare,
// advice, and buildtext (printing a whole build) on top. This package
// imports none of them.
package model
