#!/usr/bin/env bash
# What BuildKit's cache-key recording costs a build, and how fast `why`
# answers, on a context of 20k files / 200 MB (COPY . . then a RUN).
# Two embedded builders side by side, each with its own state: one keeps
# cache keys (the default: buildkitd --save-cache-debug, read back after
# each build), the other runs with BUILDSCOPE_CACHE_KEYS=0. Their builds
# alternate, in three rounds: warm (nothing changed: every step a hit),
# edit (one file changed: the COPY and the RUN run again) and cold
# (--no-cache). `why --json` is timed after each edit build. Then the
# daemon's side: the size of its cache-debug database.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5}
[ -x /usr/bin/time ] || { echo "bench/why.sh measures CPU with /usr/bin/time: apt-get install time" >&2; exit 1; }
CTX=$(mktemp -d /tmp/bs-why-ctx.XXXX)
ON=$(mktemp -d /tmp/bs-why-on.XXXX)
OFF=$(mktemp -d /tmp/bs-why-off.XXXX)
on() { XDG_STATE_HOME=$ON/state XDG_RUNTIME_DIR=$ON/run BUILDKIT_HOST= bin/buildscope "$@"; }
off() { XDG_STATE_HOME=$OFF/state XDG_RUNTIME_DIR=$OFF/run BUILDKIT_HOST= BUILDSCOPE_CACHE_KEYS=0 bin/buildscope "$@"; }
cleanup() { on builder stop >/dev/null 2>&1 || true; off builder stop >/dev/null 2>&1 || true; rm -rf "$CTX" "$ON" "$OFF"; }
trap cleanup EXIT
echo "making a context of 20000 files, 200 MB in $CTX"
python3 bench/mkcontext.py "$CTX"
now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
build() { "$1" build --builder embedded --progress plain "${@:2}" "$CTX" >/dev/null 2>&1; }
# CPU, which a shared machine disturbs far less than wall time: the
# client's (user+sys of the buildscope process) and its daemon's (utime
# +stime from /proc, in clock ticks of 10 ms)
dpid() { cat "$([ "$1" = on ] && echo "$ON" || echo "$OFF")/state/buildscope/buildkitd/buildkitd.pid"; }
dcpu() { awk '{print ($14+$15)*10}' "/proc/$(dpid "$1")/stat"; }
timed() { # on|off, extra build args: appends wall ms to $R/NAME and client+daemon CPU ms to $R/NAME.cpu
  local d0 d1 t0 t1 u s
  d0=$(dcpu "$1"); t0=$(now)
  local env=(XDG_STATE_HOME="$ON/state" XDG_RUNTIME_DIR="$ON/run" BUILDKIT_HOST=)
  [ "$1" = off ] && env=(XDG_STATE_HOME="$OFF/state" XDG_RUNTIME_DIR="$OFF/run" BUILDKIT_HOST= BUILDSCOPE_CACHE_KEYS=0)
  /usr/bin/time -f '%U %S' -o "$R/t" env "${env[@]}" bin/buildscope build --builder embedded --progress plain "${@:2}" "$CTX" >/dev/null 2>&1 || true
  t1=$(now); d1=$(dcpu "$1")
  read -r u s <"$R/t"
  ms "$t0" "$t1" >>"$R/$1"
  awk -v u="$u" -v s="$s" -v d=$((d1 - d0)) 'BEGIN {printf "%d\n", (u + s) * 1000 + d}' >>"$R/$1.cpu"
}
on builder start >/dev/null; off builder start >/dev/null
build on; build off   # prime both
R=$(mktemp -d /tmp/bs-why-res.XXXX); trap 'cleanup; rm -rf "$R"' EXIT
round() { # name, extra build args; "edit" changes one file before each pair
  local name=$1 t0 t1 b
  : >"$R/on"; : >"$R/off"; : >"$R/on.cpu"; : >"$R/off.cpu"
  for i in $(seq "$N"); do
    for b in on off; do
      [ "$name" = edit ] && echo "$b$i" >"$CTX/src/d000/f000.dat"
      timed "$b" "${@:2}"
      if [ "$name" = edit ] && [ "$b" = on ]; then
        t0=$(now); on why --json >"$R/why.json"; t1=$(now); ms "$t0" "$t1" >>"$R/why"
      fi
    done
  done
  local a z ca cz
  a=$(median <"$R/on"); z=$(median <"$R/off")
  ca=$(median <"$R/on.cpu"); cz=$(median <"$R/off.cpu")
  printf '%-5s wall: keys on %7s ms  off %7s ms  ratio %s | CPU (client+daemon): on %7s ms  off %7s ms  ratio %s (limit 1.05)\n' \
    "$name" "$a" "$z" "$(awk -v a="$a" -v b="$z" 'BEGIN {printf "%.3f", a/b}')" \
    "$ca" "$cz" "$(awk -v a="$ca" -v b="$cz" 'BEGIN {printf "%.3f", a/b}')"
}
echo "$N alternating builds each, medians"
: >"$R/why"
round warm
round edit
round cold --no-cache
printf 'why --json after an edit build: %s ms (limit 1000), source %s\n' "$(median <"$R/why")" \
  "$(sed -n 's/.*"source": "\([a-z-]*\)".*/\1/p' "$R/why.json")"
builds=$(on history ls 2>/dev/null | grep -c . || true)
db=$ON/state/buildscope/buildkitd/root/cache-debug.db
printf 'daemon: cache-debug.db %s after %s builds (keys on); the key store itself (cache.db) %s on, %s off\n' \
  "$(du -h "$db" | cut -f1)" "$builds" \
  "$(du -h "$ON/state/buildscope/buildkitd/root/cache.db" 2>/dev/null | cut -f1)" \
  "$(du -h "$OFF/state/buildscope/buildkitd/root/cache.db" 2>/dev/null | cut -f1)"
