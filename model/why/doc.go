// Package why explains the cache misses of a build against the previous
// build of the same Dockerfile and target (Explain): from BuildKit's cache
// keys where the record has them, else from the inputs buildscope recorded,
// with the changed hits that caused them, the cost of each, and "unknown"
// with what is missing when the record cannot tell.
package why
