#!/usr/bin/env bash
# Client overhead of `buildscope build` against `buildctl build`: the same
# daemon (the embedded buildkitd), the same Dockerfile, the same exporter
# (an OCI layout directory, which buildscope always writes to keep build:ID),
# plain progress. Runs alternate between the two clients; warm (cache hit)
# and cold (--no-cache) rounds. Prints median wall times and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-15}
CTX=${CTX:-assets/examples/multistage}
go build -o bin/buildctl github.com/moby/buildkit/cmd/buildctl
bin/buildscope builder start >/dev/null
ADDR=$(bin/buildscope builder status --json | sed -n 's/.*"address": "\(.*\)".*/\1/p')
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

now() { date +%s%N; }
bs() { bin/buildscope build --builder "$ADDR" --progress plain "$@" "$CTX" >/dev/null 2>&1; }
bc() {
  bin/buildctl --addr "$ADDR" build --progress plain --frontend dockerfile.v0 \
    --local context="$CTX" --local dockerfile="$CTX" \
    --output "type=oci,dest=$OUT/layout,tar=false" "$@" >/dev/null 2>&1
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

round() { # name, extra buildscope args, extra buildctl args
  local name=$1 bsargs=$2 bcargs=$3 t0 t1
  : >"$OUT/bs" ; : >"$OUT/bc"
  bs $bsargs; bc $bcargs   # prime
  for i in $(seq "$N"); do
    if (( i % 2 )); then
      t0=$(now); bs $bsargs; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>"$OUT/bs"
      t0=$(now); bc $bcargs; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>"$OUT/bc"
    else
      t0=$(now); bc $bcargs; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>"$OUT/bc"
      t0=$(now); bs $bsargs; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>"$OUT/bs"
    fi
  done
  local mbs mbc
  mbs=$(median <"$OUT/bs"); mbc=$(median <"$OUT/bc")
  printf '%-5s buildscope %6s ms   buildctl %6s ms   ratio %s (limit 1.05)\n' "$name" "$mbs" "$mbc" \
    "$(awk -v a="$mbs" -v b="$mbc" 'BEGIN {printf "%.3f", a/b}')"
}

echo "context $CTX, $N alternating runs each, medians"
round warm "" ""
round cold "--no-cache" "--no-cache"
