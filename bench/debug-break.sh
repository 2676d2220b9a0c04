#!/usr/bin/env bash
# What `--break` on a line no step is on costs a build: `buildscope debug
# --break 3` (a comment line of assets/examples/multistage, so the frontend's
# LLB is read and searched, and nothing pauses) against the same
# `buildscope debug` without --break, on the embedded builder, plain
# progress. Runs alternate between the two, warm (cache hits) and cold
# (--no-cache) rounds; prints medians and the ratio (issue 29: at most 1.05),
# and the median of what --break itself took in the process (reading and
# searching the LLB, from the --debug log), which a loaded machine's noise
# in the wall times does not blur.
#
# CMD=build compares `buildscope build --progress plain --break 3` with the
# same `buildscope build` (which without --break solves without the
# gateway). Line 3 is before the first FROM, which build sees in its own
# parse of the Dockerfile: it says so and builds as without --break.
# LINE=8 (a comment inside the builder stage) makes build take the
# gateway, read the LLB and find no step there: the ratio then includes
# running the build through the gateway.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5}
LINE=${LINE:-3}
CMD=${CMD:-debug}
CTX=assets/examples/multistage
BS=$PWD/bin/buildscope
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
$BS builder start >/dev/null

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
FLAGS=()
[ "$CMD" = build ] && FLAGS=(--progress plain)
brk() { $BS "$CMD" "${FLAGS[@]}" --debug "$OUT/brk.log" --builder embedded --break "$LINE" "$@" "$CTX" </dev/null >/dev/null 2>&1; }
plain() { $BS "$CMD" "${FLAGS[@]}" --builder embedded "$@" "$CTX" </dev/null >/dev/null 2>&1; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

round() { # name; args go to both
  local name=$1 t0 t1
  shift
  : >"$OUT/a"; : >"$OUT/b"
  brk "$@"; plain "$@" # prime
  for i in $(seq "$N"); do
    if (( i % 2 )); then
      t0=$(now); brk "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/a"
      t0=$(now); plain "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/b"
    else
      t0=$(now); plain "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/b"
      t0=$(now); brk "$@"; t1=$(now); ms "$t0" "$t1" >>"$OUT/a"
    fi
  done
  local ma mb
  ma=$(median <"$OUT/a"); mb=$(median <"$OUT/b")
  printf '%-5s %s --break '"$LINE"' %6s ms   %s %6s ms   ratio %s (limit 1.05)\n' "$name" "$CMD" "$ma" "$CMD" "$mb" \
    "$(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3f", a/b}')"
}

echo "$CTX, $N alternating runs each, medians"
round warm
round cold --no-cache
took() { # a Go duration (850µs, 2.1ms, 1.2s) in ms
  awk '{v = $2; u = v; sub(/^[0-9.]+/, "", u); sub(/[^0-9.].*$/, "", v)
    print (u == "s") ? v * 1000 : (u == "ms") ? v : v / 1000}'
}
echo "--break itself, in the process: median $(grep -o 'for --break ([0-9]* ops) took [^"]*' "$OUT/brk.log" |
  sed 's/.* took /took /' | took | median) ms a run"
