// Package advice checks a Dockerfile plan and the build that ran it
// against the practices of the seeds (Advise): manifests before sources,
// bind mounts over copies, secrets the image keeps, a .dockerignore.
package advice
