// Package trace is a build's timeline (New): its spans, the critical path
// and each step's slack, the time split by kind, and the timeline as text,
// Chrome trace events or OTLP spans.
package trace
