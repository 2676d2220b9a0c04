#!/usr/bin/env bash
# `buildscope history ls --builder ADDR` on a builder whose history holds
# N records (default 1,000) left by other clients: a buildkitd of its own
# (history kept up to N+100 entries; BuildKit's default keeps 50) is filled
# by bench/foreignhistory, which then times the listing in-process and
# checks which BuildKit API methods it calls (no content-store read: the
# listing reads no blob). The CLI's wall time is the median of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-1000}
RUNS=${RUNS:-7}
[ -x bin/buildkitd ] && [ -x bin/buildscope ] || make build >/dev/null
DIR=$(mktemp -d)
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$DIR"
}
trap cleanup EXIT
printf '[history]\n  maxEntries = %d\n  maxAge = 0\n' $((N + 100)) >"$DIR/buildkitd.toml"
ADDR="unix://$DIR/buildkitd.sock"
bin/buildkitd --addr "$ADDR" --root "$DIR/root" --config "$DIR/buildkitd.toml" \
  --oci-worker=true --containerd-worker=false >"$DIR/buildkitd.log" 2>&1 &
PID=$!
for _ in $(seq 100); do [ -S "$DIR/buildkitd.sock" ] && break; sleep 0.1; done
go run ./bench/foreignhistory -addr "$ADDR" -n "$N" -runs "$RUNS"

now() { date +%s%N; }
: >"$DIR/times"
for _ in $(seq "$RUNS"); do
  t0=$(now)
  XDG_STATE_HOME="$DIR/state" bin/buildscope history ls --builder "$ADDR" >"$DIR/out"
  t1=$(now)
  echo $(( (t1 - t0) / 1000000 )) >>"$DIR/times"
done
rows=$(grep -c ' other ' "$DIR/out" || true)
median=$(sort -n "$DIR/times" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}')
echo "buildscope history ls --builder: $rows records listed, median ${median} ms over $RUNS runs (limit 1000 ms)"
