#!/usr/bin/env bash
# `buildscope stages` against a plain warm build of the final target, on
# the same builder and example, warm cache, alternating runs, medians.
# The issue's limit: stages costs at most 2x the plain build.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-7}
CTX=${CTX:-assets/examples/multistage}
BUILDER=${BUILDER:-embedded}
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
build() { bin/buildscope build --builder "$BUILDER" --progress plain "$CTX" >/dev/null 2>&1; }
stages() { bin/buildscope stages --builder "$BUILDER" --json "$CTX" >/dev/null; }
build; stages   # warm the cache
: >/tmp/bs-bench-build; : >/tmp/bs-bench-stages
for i in $(seq "$N"); do
  t0=$(now); build; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>/tmp/bs-bench-build
  t0=$(now); stages; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>/tmp/bs-bench-stages
done
b=$(median </tmp/bs-bench-build); s=$(median </tmp/bs-bench-stages)
printf 'builder %s, %s, %d runs each, medians: build %s ms, stages %s ms, ratio %s (limit 2.0)\n' \
  "$BUILDER" "$CTX" "$N" "$b" "$s" "$(awk -v a="$s" -v b="$b" 'BEGIN {printf "%.2f", a/b}')"
