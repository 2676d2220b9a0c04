# The stage graph of a daemon's release Dockerfile (the shape
# moby/buildkit uses): many helper stages on $BUILDPLATFORM, binaries
# gathered from several builders, an export stage per OS picked with
# TARGETOS, and named targets built from it ("daemon-linux").
ARG BASE=127.0.0.1:5015/buildscope/busybox:latest

FROM --platform=$BUILDPLATFORM ${BASE} AS gobase
WORKDIR /src

FROM gobase AS git
RUN mkdir -p /git && echo rev > /git/rev

FROM gobase AS buildinfo
RUN --mount=from=git,source=/git,target=/g cp /g/rev /tmp/.revision

FROM gobase AS runc
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.cache mkdir -p /out && echo "runc $TARGETARCH" > /out/runc

FROM gobase AS ctl
RUN --mount=from=buildinfo,source=/tmp/.revision,target=/tmp/.revision \
    mkdir -p /out && cp /tmp/.revision /out/ctl

FROM gobase AS daemon-oci
RUN --mount=from=buildinfo,source=/tmp/.revision,target=/tmp/.revision \
    mkdir -p /out && cp /tmp/.revision /out/daemon

FROM scratch AS binaries-linux
COPY --from=runc /out/runc /
COPY --from=ctl /out/ctl /
COPY --from=daemon-oci /out/daemon /

FROM scratch AS binaries-windows
COPY --from=ctl /out/ctl /ctl.exe

FROM binaries-$TARGETOS AS binaries

FROM --platform=$BUILDPLATFORM ${BASE} AS releaser
ARG TARGETPLATFORM
RUN --mount=from=binaries,target=/b mkdir -p /out && tar -C /b -cf "/out/release-$(echo $TARGETPLATFORM | tr / -).tar" .

FROM scratch AS release
COPY --from=releaser /out/ /

FROM ${BASE} AS daemon-export
COPY --from=binaries / /usr/bin/

FROM daemon-export AS daemon-linux
RUN mkdir -p /var/lib/daemon
