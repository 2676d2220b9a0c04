#!/usr/bin/env bash
# bench/inspect.sh — `buildscope inspect --json` against `dive --ci` and
# against the limit (listing every layer's tar headers once, as
# `tar -tzf` does), side by side in one run, on images bench/genimage
# writes (never committed). Reports wall time and peak RSS (/usr/bin/time)
# and the ratios, then the scaling curve of buildscope and the limit.
# buildscope and the limit run RUNS times each, alternating, and the
# medians are reported (dive runs once).
#
#   bench/inspect.sh            shapes (a) and (b), and the scaling curve
#   bench/inspect.sh --large    also shape (c): 5 layers, ~300k files, ~1 GB
#
# Environment: BENCH_DIR (work dir, default /tmp/buildscope-bench),
# DIVE_TIMEOUT (seconds per dive run, default 900), SKIP_DIVE=1,
# RUNS (default 5), SKIP_SCALING=1 (the shapes only), BUILDSCOPE (a
# buildscope binary to measure instead of this tree's, to compare builds).
set -euo pipefail

cd "$(dirname "$0")/.."
large=0
[ "${1:-}" = "--large" ] && large=1
dir=${BENCH_DIR:-/tmp/buildscope-bench}
dive_timeout=${DIVE_TIMEOUT:-900}
runs=${RUNS:-5}
mkdir -p "$dir"

[ -x /usr/bin/time ] || apt-get install -y time >/dev/null
dive=$(command -v dive || echo "$(go env GOPATH)/bin/dive")
if [ "${SKIP_DIVE:-}" != 1 ] && [ ! -x "$dive" ]; then
	go install github.com/wagoodman/dive/cmd/dive@latest
fi
if [ -n "${BUILDSCOPE:-}" ]; then
	cp "$BUILDSCOPE" "$dir/buildscope"
else
	go build -o "$dir/buildscope" ./cmd/buildscope
fi
go build -o "$dir/genimage" ./bench/genimage

# measure CMD… prints "SECONDS PEAK_KB" for one run, whatever its exit
# code (dive --ci exits 1 when a rule fails); ">LIMIT PEAK_KB" when it
# ran out of time.
measure() {
	local rc=0 t
	/usr/bin/time -o "$dir/time" -f '%e %M' timeout "$dive_timeout" "$@" >/dev/null 2>&1 || rc=$?
	t=$(tail -1 "$dir/time")
	if [ "$rc" = 124 ]; then
		echo ">$dive_timeout ${t#* }"
	else
		echo "$t"
	fi
}

# median prints the median of each column of "SECONDS PEAK_KB" lines.
median() {
	python3 -c '
import sys, statistics
rows = [l.split() for l in sys.stdin if l.strip()]
print(*(statistics.median_low(float(r[i]) for r in rows) for i in range(2)))'
}

# unpack ARCHIVE writes the limit's script for it: list every layer's tar
# headers once (the layers are unpacked from the archive first, untimed).
unpack() {
	local x="$dir/limit" list
	rm -rf "$x" && mkdir -p "$x" && tar -xf "$1" -C "$x"
	list="$x/list.sh"
	echo 'set -e' >"$list"
	python3 - "$x" >>"$list" <<'EOF'
import json, sys, os
d = sys.argv[1]
for layer in json.load(open(os.path.join(d, "manifest.json")))[0]["Layers"]:
    p = os.path.join(d, layer)
    gz = open(p, "rb").read(2) == b"\x1f\x8b"
    print(f"tar -t{'z' if gz else ''}f '{p}' >/dev/null")
EOF
}

# ratio A B prints A/B ("<" when B is only a lower bound, "-" when unknown).
ratio() {
	python3 -c "
import sys
a, b = sys.argv[1:]
if '-' in (a, b) or float(b.lstrip('>')) == 0: print('-')
else: print(('<' if b.startswith('>') else '') + f'{float(a)/float(b.lstrip(\">\")):.3f}')" "$1" "$2"
}

# row NAME GENIMAGE-FLAGS… runs the three on one shape and prints a row.
row() {
	local name=$1; shift
	local img="$dir/$name.tar"
	"$dir/genimage" "$@" -o "$img"
	unpack "$img"
	local i bs=() lim=()
	for ((i = 0; i < runs; i++)); do
		bs+=("$(measure "$dir/buildscope" inspect --json "$img")")
		lim+=("$(measure bash "$dir/limit/list.sh")")
	done
	rm -rf "$dir/limit"
	read -r bs_s bs_kb < <(printf '%s\n' "${bs[@]}" | median)
	bs_kb=${bs_kb%.*}
	read -r lim_s _ < <(printf '%s\n' "${lim[@]}" | median)
	local dv_s=- dv_kb=-
	if [ "${SKIP_DIVE:-}" != 1 ] && [ "${with_dive:-1}" = 1 ]; then
		read -r dv_s dv_kb < <(measure "$dive" --ci --source docker-archive "$img")
	fi
	local paths
	paths=$("$dir/buildscope" inspect --json "$img" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(l["added"] for l in d["layers"]), round(d["size_bytes"]/1e6))')
	printf '| %s | %s | %s s, %s MB | %s s, %s MB | %s s | %s | %s | %s |\n' \
		"$name" "$paths" "$bs_s" "$((bs_kb / 1024))" "$dv_s" "$([ "$dv_kb" = - ] && echo - || echo $((dv_kb / 1024)))" "$lim_s" \
		"$(ratio "$bs_s" "$lim_s")" "$(ratio "$bs_s" "$dv_s")" "$(ratio "$bs_kb" "$dv_kb")"
	rm -f "$img"
}

echo "## shapes (buildscope inspect --json | dive --ci | limit: tar -t over every layer)"
echo
echo '| shape | paths added, MB | buildscope | dive | limit | bs/limit time | bs/dive time | bs/dive peak RSS |'
echo '|---|---|---|---|---|---|---|---|'
row a-5x20k -layers 5 -files 20000
row b-30x10k -layers 30 -files 10000 -modify 0.02 -delete 0.01
if [ "$large" = 1 ]; then
	with_dive=${DIVE_LARGE:-0} row c-5x60k-1GB -layers 5 -files 60000 -size 3400
fi

[ "${SKIP_SCALING:-}" = 1 ] && exit 0
echo
echo "## scaling (buildscope and the limit only)"
echo
echo '| shape | paths added, MB | buildscope | dive | limit | bs/limit time | bs/dive time | bs/dive peak RSS |'
echo '|---|---|---|---|---|---|---|---|'
export with_dive=0
row files-10k -layers 5 -files 2000
row files-100k -layers 5 -files 20000
row files-300k -layers 5 -files 60000
row layers-5 -layers 5 -files 2000 -modify 0.02 -delete 0.01
row layers-30 -layers 30 -files 2000 -modify 0.02 -delete 0.01
row layers-100 -layers 100 -files 2000 -modify 0.02 -delete 0.01
