#!/usr/bin/env bash
# buildscope build against docker buildx build, side by side in one run on
# the same warm buildkitd (the embedded builder; buildx reaches it with its
# remote driver), on a context of 20k files / 200 MB whose build is a cache
# hit: what remains is each client's own work (sending the context,
# exporting, and for buildscope recording the build).
#   buildx-none  docker buildx build, no output (only the build cache)
#   buildx-oci   docker buildx build -o type=oci,dest=FILE
#   buildscope   buildscope build (records the build, keeps the image)
# buildx is make's bin/docker-buildx: built from the module proxy
# (github.com/docker/buildx at the version whose BuildKit matches go.mod's).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-9}
WORK=$(mktemp -d /tmp/bs-vsbx.XXXX)
export XDG_STATE_HOME=$WORK/state
cleanup() {
  docker buildx rm bs-bench >/dev/null 2>&1 || true
  bin/buildscope builder stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
# make's buildx (go.mod's release, from the module proxy), run from a
# DOCKER_CONFIG of this run's own: ~/.docker is neither used nor changed
make -s buildx
export DOCKER_CONFIG=$WORK/docker
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "$PWD/bin/docker-buildx" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
CTX=$WORK/ctx
echo "making a context of 20000 files, 200 MB in $CTX"
python3 bench/mkcontext.py "$CTX"
bin/buildscope builder start >/dev/null
SOCK=$(bin/buildscope builder status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
docker buildx rm bs-bench >/dev/null 2>&1 || true
docker buildx create --name bs-bench --driver remote "$SOCK" >/dev/null
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
run() { # name, command...
  local name=$1; shift
  local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now)
  echo $(( (t1 - t0) / 1000000 )) >>"$WORK/$name"
}
bs() { bin/buildscope build --builder embedded --progress plain "$CTX"; }
bxnone() { docker buildx build --builder bs-bench --progress plain "$CTX"; }
bxoci() { docker buildx build --builder bs-bench --progress plain -o "type=oci,dest=$WORK/out.tar" "$CTX"; }
{ bs; bxnone; bxoci; } >/dev/null 2>&1 # warm: the cache holds every step, both clients have sent the context once
for i in $(seq "$N"); do run buildscope bs; run buildx-none bxnone; run buildx-oci bxoci; done
s=$(median <"$WORK/buildscope"); n=$(median <"$WORK/buildx-none"); o=$(median <"$WORK/buildx-oci")
printf 'warm, %d runs each, medians: buildscope %s ms, buildx (no output) %s ms, buildx -o type=oci %s ms\n' "$N" "$s" "$n" "$o"
awk -v s="$s" -v n="$n" -v o="$o" 'BEGIN {printf "buildscope / buildx no output: %.2f; buildscope / buildx oci: %.2f\n", s/n, s/o}'
