// Package buildrun talks to builders: the embedded buildkitd that
// buildscope manages, a Docker engine's built-in BuildKit, or any BuildKit
// address. It runs Dockerfile builds, streams their progress, exports their
// results and keeps the history of build records.
package buildrun
