#!/usr/bin/env bash
# What recording the inputs `why` needs costs a build, and how fast `why`
# answers, on a context of 20k files / 200 MB (COPY . . then a RUN).
# Builds with and without recording alternate (warm cache: the context is
# unchanged, so the build is a cache hit and what remains is the client's
# work, the recording included); each pair also touches one file, so the
# COPY and the RUN after it run again (a realistic edit-rebuild loop).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-5}
BUILDER=${BUILDER:-embedded}
CTX=$(mktemp -d /tmp/bs-why-ctx.XXXX)
trap 'rm -rf "$CTX"' EXIT
echo "making a context of 20000 files, 200 MB in $CTX"
python3 - "$CTX" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(200):
    os.makedirs(f"{root}/src/d{d:03}", exist_ok=True)
    for f in range(100):
        with open(f"{root}/src/d{d:03}/f{f:03}.dat", "wb") as fh:
            fh.write(os.urandom(10000))
with open(f"{root}/Dockerfile", "w") as fh:
    fh.write("FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /app\nCOPY . .\nRUN du -s /app > /size.txt\n")
PY
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
build() { bin/buildscope build --builder "$BUILDER" --progress plain "$@" "$CTX" >/dev/null 2>&1; }
build; build --no-record-inputs   # warm both ways
: >/tmp/bs-why-rec; : >/tmp/bs-why-norec; : >/tmp/bs-why-why
for i in $(seq "$N"); do
  echo "$i" >"$CTX/src/d000/f000.dat"
  t0=$(now); build; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>/tmp/bs-why-rec
  t0=$(now); bin/buildscope why --json >/dev/null; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>/tmp/bs-why-why
  echo "x$i" >"$CTX/src/d000/f000.dat"
  t0=$(now); build --no-record-inputs; t1=$(now); echo $(( (t1 - t0) / 1000000 )) >>/tmp/bs-why-norec
done
r=$(median </tmp/bs-why-rec); n=$(median </tmp/bs-why-norec); w=$(median </tmp/bs-why-why)
printf 'builder %s, %d runs each, medians: build with recording %s ms, without %s ms, ratio %s (limit 1.05); why %s ms (limit 1000)\n' \
  "$BUILDER" "$N" "$r" "$n" "$(awk -v a="$r" -v b="$n" 'BEGIN {printf "%.3f", a/b}')" "$w"
