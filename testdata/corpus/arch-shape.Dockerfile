# A stage chosen by TARGETARCH, built for another platform without
# emulation: only the $BUILDPLATFORM stage runs commands.
ARG BASE=127.0.0.1:5015/buildscope/busybox:latest

FROM --platform=$BUILDPLATFORM ${BASE} AS build
ARG TARGETARCH
RUN mkdir -p /out && echo "built for $TARGETARCH" > /out/app

FROM scratch AS out-amd64
COPY --from=build /out/app /app-amd64

FROM scratch AS out-arm64
COPY --from=build /out/app /app-arm64

FROM out-$TARGETARCH
COPY --from=build /out/app /app
