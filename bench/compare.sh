#!/usr/bin/env bash
# bench/compare.sh — `buildscope compare --json A B` against `buildscope
# inspect --json B` (the larger image alone), side by side in one run, on
# docker-archive images bench/genimage writes that share their first
# layers. Each run starts from an empty state dir, so what compare saves
# comes from reading a shared layer once. Wall time, CPU time (user +
# system: steadier than wall time on a shared machine) and peak RSS from
# /usr/bin/time; RUNS alternating runs, medians.
#
#   bench/compare.sh            shape (a): 5 layers x 20k files, 3 shared
#   bench/compare.sh --large    also shape (c): 5 layers, ~300k files, ~1 GB
#
# Targets (issue 13): time ≤ 1.5x inspect's, peak memory ≤ inspect's + 25%.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/genimage" ./bench/genimage
bs=${BUILDSCOPE:-bin/buildscope}
[ -x "$bs" ] || go build -o bin/buildscope ./cmd/buildscope

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# measure CMD...: prints "seconds cpu-seconds kilobytes", from a fresh state dir
measure() {
  local st; st=$(mktemp -d -p "$work")
  XDG_STATE_HOME="$st" /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  awk '{print $1, $2 + $3, $4}' "$work/t"; rm -rf "$st"
}

shape() { # name, genimage args…
  local name=$1; shift
  "$work/genimage" "$@" -o "$work/a.tar"
  "$work/genimage" "$@" -diverge 3 -o "$work/b.tar"
  local f
  for f in ct cc cm it ic im; do : >"$work/$f"; done
  for _ in $(seq "$RUNS"); do
    read -r t c m < <(measure "$bs" compare --json "$work/a.tar" "$work/b.tar")
    echo "$t" >>"$work/ct"; echo "$c" >>"$work/cc"; echo "$m" >>"$work/cm"
    read -r t c m < <(measure "$bs" inspect --json "$work/b.tar")
    echo "$t" >>"$work/it"; echo "$c" >>"$work/ic"; echo "$m" >>"$work/im"
  done
  local ct cc cm it ic im
  ct=$(median <"$work/ct"); cc=$(median <"$work/cc"); cm=$(median <"$work/cm")
  it=$(median <"$work/it"); ic=$(median <"$work/ic"); im=$(median <"$work/im")
  awk -v n="$name" -v ct="$ct" -v cc="$cc" -v cm="$cm" -v it="$it" -v ic="$ic" -v im="$im" 'BEGIN {
    printf "| %s | %.2f s (cpu %.2f s), %d MB | %.2f s (cpu %.2f s), %d MB | %.2f (cpu %.2f) | %.2f |\n", n, ct, cc, cm/1024, it, ic, im/1024, ct/it, cc/ic, cm/im }'
}

echo "| shape (3 of 5 layers shared) | compare A B | inspect B | time ratio (≤ 1.5) | memory ratio (≤ 1.25) |"
echo "|---|---|---|---|---|"
shape "(a) 5 x 20k files" -layers 5 -files 20000
if [ "${1:-}" = --large ]; then
  shape "(c) 5 layers, ~300k files, ~1 GB" -layers 5 -files 60000 -size 4096
fi
