#!/usr/bin/env bash
# A Dockerfile of many instructions (issue 30: 5,000 took 15.8 s and
# 1.28 GB in buildscope, 7.6 s in buildx; 20,000 reached 14.6 GB), built by
# buildscope build and by docker buildx build side by side, alternating,
# on the same buildkitd (the embedded builder; buildx reaches it with its
# remote driver), each run with --no-cache so that every instruction is
# solved. Prints the medians of wall time, their ratio, and buildscope's
# peak RSS (the limit: within 1.2x buildx's time, at most 300 MB).
#   N=5 INSTR=5000 bench/manyinstr.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5}
INSTR=${INSTR:-5000}
BASE=${BASE:-127.0.0.1:5015/buildscope/busybox:latest}
WORK=$(mktemp -d /tmp/bs-many.XXXX)
export XDG_STATE_HOME=$WORK/state
cleanup() {
  docker buildx rm bs-many >/dev/null 2>&1 || true
  bin/buildscope builder stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
export DOCKER_CONFIG=$WORK/docker
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "$PWD/bin/docker-buildx" "$DOCKER_CONFIG/cli-plugins/docker-buildx"
CTX=$WORK/ctx
mkdir -p "$CTX"
python3 - "$CTX/Dockerfile" "$INSTR" "$BASE" <<'PY'
import sys
path, n, base = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "w") as f:
    f.write("FROM %s\n" % base)
    for i in range(n - 2):  # metadata instructions: ENV and LABEL, as the report's file
        f.write("ENV V%d=value%d\n" % (i, i) if i % 2 == 0 else "LABEL l%d=value%d\n" % (i, i))
    f.write("RUN true\n")
PY
bin/buildscope builder start >/dev/null
SOCK=$(bin/buildscope builder status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["address"])')
docker buildx rm bs-many >/dev/null 2>&1 || true
docker buildx create --name bs-many --driver remote "$SOCK" >/dev/null
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
run() { # name, command... : wall ms and peak RSS KB, through GNU time
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/t" "$@" >"$WORK/$name.out" 2>&1 || { echo "$name failed:"; tail -5 "$WORK/$name.out"; exit 1; }
  read -r s kb <"$WORK/t"
  awk -v s="$s" 'BEGIN {printf "%d\n", s*1000}' >>"$WORK/$name.ms"
  echo "$kb" >>"$WORK/$name.kb"
}
bs=(bin/buildscope build --builder embedded --no-cache --progress plain "$CTX")
bx=(docker buildx build --builder bs-many --no-cache --progress plain "$CTX")
"${bs[@]}" >/dev/null 2>&1; "${bx[@]}" >/dev/null 2>&1 # warm: the base image pulled, both clients started once
for i in $(seq "$N"); do run buildscope "${bs[@]}"; run buildx "${bx[@]}"; done
s=$(median <"$WORK/buildscope.ms"); x=$(median <"$WORK/buildx.ms")
sk=$(median <"$WORK/buildscope.kb"); xk=$(median <"$WORK/buildx.kb")
printf '%d instructions, --no-cache, %d runs each, medians: buildscope %s ms (peak RSS %s MB), buildx %s ms (peak RSS %s MB)\n' \
  "$INSTR" "$N" "$s" "$((sk / 1024))" "$x" "$((xk / 1024))"
awk -v s="$s" -v x="$x" 'BEGIN {printf "buildscope / buildx: %.2f\n", s/x}'
