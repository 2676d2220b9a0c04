// Package dockerfile is the Dockerfile plan: a Dockerfile parsed with
// BuildKit's own parser into its stages, their dependencies, and each
// instruction's expanded args, env, context sources and cache mounts, as
// BuildKit would resolve them for a target and platform.
package dockerfile
