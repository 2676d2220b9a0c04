# `buildscope bake` (or `docker buildx bake`) builds both images at once;
# their common `base` stage is built once. Override a value with --set,
# e.g. --set api.args.VERSION=2, or a variable from the environment:
# BASE=busybox:1.36 buildscope bake.
variable "BASE" {
  default = "127.0.0.1:5015/buildscope/busybox:latest"
}

group "default" {
  targets = ["api", "worker"]
}

target "_common" {
  context = "."
  args = {
    BASE = BASE
  }
}

target "api" {
  inherits = ["_common"]
  target   = "api"
  tags     = ["bakedemo/api:latest"]
}

target "worker" {
  inherits = ["_common"]
  target   = "worker"
  tags     = ["bakedemo/worker:latest"]
}
