#!/bin/sh
# Benchmark: `buildscope diff CONTAINER` against `docker container diff
# CONTAINER` on the same stopped container, side by side in one run: an
# image of 100k files (100 directories of 1000), a container that modified
# 10k of them. Alternating runs, medians, ratio (target <= 1.0).
#
# Needs a Docker engine, bin/buildscope (make build) and the offline base
# image (bin/mkbase serve --detach). Usage: bench/diff.sh [RUNS]
set -eu
cd "$(dirname "$0")/.."
runs=${1:-7}
bs=bin/buildscope
img=buildscope-bench:diff100k
ctr=bs-bench-diff
base=127.0.0.1:5015/buildscope/busybox:latest

[ -x "$bs" ] || { echo "bench/diff.sh: build bin/buildscope first (make build)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "bench/diff.sh: no Docker engine answers" >&2; exit 1; }

if ! docker image inspect "$img" >/dev/null 2>&1; then
	ctx=$(mktemp -d)
	cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base
RUN mkdir /bench && cd /bench && for d in \$(seq 0 99); do mkdir d\$d; for f in \$(seq 0 999); do echo "\$d \$f" > d\$d/f\$f; done; done
DOCKERFILE
	echo "building $img (100k files)..." >&2
	"$bs" build --builder docker --progress plain -t "$img" "$ctx" >/dev/null 2>&1
	rm -rf "$ctx"
fi
docker rm -f "$ctr" >/dev/null 2>&1 || true
docker run --name "$ctr" "$img" sh -c \
	'for d in $(seq 0 9); do for f in $(seq 0 999); do echo x >> /bench/d$d/f$f; done; done' >/dev/null

# Same changes, up to the engine's (random) order of siblings.
"$bs" diff "$ctr" | sort >/tmp/bench-diff-bs.txt
docker container diff "$ctr" | sort >/tmp/bench-diff-docker.txt
if ! cmp -s /tmp/bench-diff-bs.txt /tmp/bench-diff-docker.txt; then
	echo "bench/diff.sh: buildscope and docker disagree:" >&2
	diff /tmp/bench-diff-docker.txt /tmp/bench-diff-bs.txt | head -20 >&2
	exit 1
fi
lines=$(wc -l </tmp/bench-diff-bs.txt)

ms() { # run "$@" once, print wall milliseconds
	t0=$(date +%s%N)
	"$@" >/dev/null
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >/tmp/bench-diff-bs.ms
: >/tmp/bench-diff-docker.ms
i=0
while [ "$i" -lt "$runs" ]; do
	ms "$bs" diff "$ctr" >>/tmp/bench-diff-bs.ms
	ms docker container diff "$ctr" >>/tmp/bench-diff-docker.ms
	i=$((i + 1))
done
b=$(median </tmp/bench-diff-bs.ms)
d=$(median </tmp/bench-diff-docker.ms)
echo "container: 10k of 100k files modified, $lines lines of diff; $runs alternating runs each"
echo "buildscope diff        median ${b} ms  (runs: $(tr '\n' ' ' </tmp/bench-diff-bs.ms))"
echo "docker container diff  median ${d} ms  (runs: $(tr '\n' ' ' </tmp/bench-diff-docker.ms))"
awk -v b="$b" -v d="$d" 'BEGIN { printf "ratio buildscope/docker %.2f (target <= 1.0)\n", b / d }'
# export mode too, for the record: what a machine without access to the
# engine's layers gets.
e=$( (for i in 1 2 3; do ms "$bs" diff --method export "$ctr"; done) | median)
echo "buildscope diff --method export  median ${e} ms (3 runs)"
docker rm -f "$ctr" >/dev/null
