#!/bin/sh
# Records the data inspect/cdiff's tests compare against: a real container
# on the Docker engine, from a small image, that adds, modifies, deletes,
# chmods and replaces files, directories and links under /data, /tmp and
# /new. Every tar is cut down to those directories (tarfilter keeps the
# members as they are), so the recordings stay small.
#
#   image-N.tar     the image's layers, bottom first (docker save)
#   export.tar      docker export of the stopped container
#   commit.tar      the container's own layer (docker commit, whiteouts kept)
#   docker-diff.txt docker container diff, as the engine printed it
#
# Usage (from the repo root, engine and base registry up):
#   testdata/cdiff/record.sh
set -eu
cd "$(dirname "$0")"
out=scenario
roots="/data /tmp /new"
img=buildscope-cdiff-record:latest
ctr=bs-cdiff-record
filter() { go run ./tarfilter $roots; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; docker rm -f $ctr >/dev/null 2>&1 || true' EXIT
cat >"$tmp/Dockerfile" <<'DOCKERFILE'
FROM 127.0.0.1:5015/buildscope/busybox:latest
RUN mkdir -p /data/sub /data/dir2/inner /data/rdir /data/keepdir \
 && echo hello > /data/file.txt && echo keep > /data/same.txt && echo m > /data/mode.txt \
 && echo a > /data/sub/a && echo b > /data/dir2/b && echo i > /data/dir2/inner/i \
 && echo x > /data/rdir/x && echo y > /data/rdir/y && echo f > /data/f2d && mkdir /data/d2f \
 && ln -s file.txt /data/link && ln -s /nonexistent /data/dangling && ln -s sub /data/dirlink \
 && echo k > /data/keepdir/k && echo same > /data/copied.txt
DOCKERFILE
../../bin/buildscope build --builder docker --progress plain -t $img "$tmp" >/dev/null 2>&1
docker rm -f $ctr >/dev/null 2>&1 || true
docker run --name $ctr $img sh -c '
echo new >> /data/file.txt
chmod 600 /data/mode.txt
chmod 644 /data/same.txt
chmod 700 /data/keepdir
rm /data/sub/a
rm -rf /data/dir2
ln -sf same.txt /data/link
ln -sf /other /data/dangling
rm /data/dirlink && mkdir /data/dirlink
rm -rf /data/rdir && mkdir /data/rdir && echo x2 > /data/rdir/x && echo z > /data/rdir/z
rm /data/f2d && mkdir /data/f2d && echo q > /data/f2d/q
rmdir /data/d2f && echo now-a-file > /data/d2f
mknod /data/fifo p
cp -p /data/copied.txt /ref && cat /ref > /data/copied.txt && touch -r /ref /data/copied.txt && rm /ref
echo t > /tmp/a && echo t > /tmp/b
mkdir -p /new/deep && echo 1 > /new/deep/1 && ln -s deep /new/link
'
rm -rf $out && mkdir $out
docker container diff $ctr >$out/docker-diff.txt
docker export $ctr | filter >$out/export.tar
docker save $img >"$tmp/image.tar"
mkdir "$tmp/image" && tar -xf "$tmp/image.tar" -C "$tmp/image"
n=0
for l in $(python3 -c 'import json,sys; print(" ".join(json.load(open(sys.argv[1]))[0]["Layers"]))' "$tmp/image/manifest.json"); do
	filter <"$tmp/image/$l" >$out/image-$n.tar
	n=$((n + 1))
done
docker commit $ctr buildscope-cdiff-record:committed >/dev/null
docker save buildscope-cdiff-record:committed >"$tmp/committed.tar"
mkdir "$tmp/committed" && tar -xf "$tmp/committed.tar" -C "$tmp/committed"
top=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["Layers"][-1])' "$tmp/committed/manifest.json")
filter <"$tmp/committed/$top" >$out/commit.tar
docker rmi -f buildscope-cdiff-record:committed $img >/dev/null
ls -l $out
