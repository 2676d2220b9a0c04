# The stage graph of a cross-compiling Go project's release Dockerfile
# (the shape docker/buildx uses): helper stages on $BUILDPLATFORM, a
# version stage read through a bind mount, per-OS "binaries-*" stages and
# a final stage chosen by the automatic arg TARGETOS. Commands only touch
# the files the next stages read, so it builds offline in a second.
ARG BASE=127.0.0.1:5015/buildscope/busybox:latest

FROM --platform=$BUILDPLATFORM ${BASE} AS xx
RUN mkdir -p /xx && touch /xx/xx-go

FROM --platform=$BUILDPLATFORM ${BASE} AS golatest

FROM golatest AS gobase
COPY --from=xx /xx /usr/bin/
ENV GOFLAGS=-mod=vendor
WORKDIR /src

FROM gobase AS version
RUN --mount=target=. echo v0.0.0 > /tmp/.version && echo "-X version=v0" > /tmp/.ldflags

FROM gobase AS build
ARG TARGETPLATFORM
RUN --mount=type=bind,target=. \
    --mount=type=cache,target=/root/.cache \
    --mount=type=bind,source=/tmp/.ldflags,target=/tmp/.ldflags,from=version \
    mkdir -p /usr/bin && echo "$TARGETPLATFORM $(cat /tmp/.ldflags)" > /usr/bin/tool

FROM scratch AS binaries-unix
COPY --from=build /usr/bin/tool /

FROM binaries-unix AS binaries-darwin
FROM binaries-unix AS binaries-linux

FROM scratch AS binaries-windows
COPY --from=build /usr/bin/tool /tool.exe

FROM binaries-$TARGETOS AS binaries

FROM --platform=$BUILDPLATFORM ${BASE} AS releaser
WORKDIR /work
ARG TARGETPLATFORM
RUN --mount=from=binaries \
    --mount=type=bind,source=/tmp/.version,target=/tmp/.version,from=version \
    mkdir -p /out && cp tool* "/out/tool-$(cat /tmp/.version).$(echo $TARGETPLATFORM | sed 's/\//-/g')"

FROM scratch AS release
COPY --from=releaser /out/ /

FROM binaries
