// Package compare sets builds and file trees side by side: two builds'
// steps (Builds) and a step's durations across earlier builds
// (StepTrends), two file sets (DiffFiles), the --fail-on rules (FailOn),
// and per-stage sizes with what a multi-stage build left behind
// (StageReport, LeftBehind, SingleStageFor).
package compare
