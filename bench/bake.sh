#!/usr/bin/env bash
# `buildscope bake` against `docker buildx bake` on the same daemon (the
# embedded buildkitd; buildx reaches it through its remote driver), the same
# bake file (assets/examples/bake: two targets on one base stage) and the
# same exporter (an OCI layout directory per target, which buildscope always
# writes to keep build:ID); plain progress. Runs alternate between the two;
# warm (cache hit) and cold (no-cache) rounds. Then bake of both targets
# against building them one after another, cold. Prints medians and ratios.
#
# buildx is the release go.mod pins, built from the module proxy once
# (make buildx: bin/docker-buildx) and run as a Docker CLI plugin from a
# DOCKER_CONFIG of this run's own, so ~/.docker is neither used nor changed.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-9}
CTX=assets/examples/bake
BS=$PWD/bin/buildscope
make -s buildx
VER=$(bin/docker-buildx version | awk '{print $2}')
OUT=$(mktemp -d)
export DOCKER_CONFIG=$OUT/docker
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "$PWD/bin/docker-buildx" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
$BS builder start >/dev/null
ADDR=$($BS builder status --json | sed -n 's/.*"address": "\(.*\)".*/\1/p')
NAME=buildscope-bench
trap 'docker buildx rm "$NAME" >/dev/null 2>&1 || true; rm -rf "$OUT"' EXIT
docker buildx create --name "$NAME" --driver remote "$ADDR" >/dev/null

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
bs() { (cd "$CTX" && $BS bake --builder "$ADDR" --progress plain -f docker-bake.hcl "$@" >/dev/null 2>&1); }
bx() {
  (cd "$CTX" && docker buildx bake --builder "$NAME" --progress plain -f docker-bake.hcl \
    --set "api.output=type=oci,dest=$OUT/api,tar=false" \
    --set "worker.output=type=oci,dest=$OUT/worker,tar=false" --allow "fs.write=$OUT" "$@" >/dev/null 2>&1)
}
bsseq() { # the two targets one after another
  (cd "$CTX" && $BS bake --builder "$ADDR" --progress plain -f docker-bake.hcl "$@" api >/dev/null 2>&1 &&
    $BS bake --builder "$ADDR" --progress plain -f docker-bake.hcl "$@" worker >/dev/null 2>&1)
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

round() { # name, label a, command a, label b, command b, limit; args after -- go to both
  local name=$1 la=$2 a=$3 lb=$4 b=$5 limit=$6 t0 t1
  shift 6
  : >"$OUT/a"; : >"$OUT/b"
  $a "$@"; $b "$@" # prime
  for i in $(seq "$N"); do
    if (( i % 2 )); then
      t0=$(now); $a "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/a"
      t0=$(now); $b "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/b"
    else
      t0=$(now); $b "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/b"
      t0=$(now); $a "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/a"
    fi
  done
  local ma mb
  ma=$(median <"$OUT/a"); mb=$(median <"$OUT/b")
  printf '%-5s %-22s %6s ms   %-22s %6s ms   ratio %s (limit %s)\n' "$name" "$la" "$ma" "$lb" "$mb" \
    "$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", a/b}')" "$limit"
}

echo "$CTX, buildx $VER, $N alternating runs each, medians"
round warm "buildscope bake" bs "docker buildx bake" bx 1.05
round cold "buildscope bake" bs "docker buildx bake" bx 1.05 --set '*.no-cache=true'
round cold "bake api+worker" bs "api, then worker" bsseq 0.7 --set '*.no-cache=true'
