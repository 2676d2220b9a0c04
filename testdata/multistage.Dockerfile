# The greeter app, built multi-stage: a builder stage with a heavy
# toolchain and build artefacts, and a production stage that copies only
# what runs. BASE defaults to the offline base image `make demo` serves;
# on a networked machine pass --build-arg BASE=busybox:1.36.
ARG BASE=127.0.0.1:5015/buildscope/busybox:latest

FROM ${BASE} AS builder
# the toolchain: large, needed only to build
RUN mkdir -p /opt/toolchain/bin /opt/toolchain/lib \
 && head -c 12000000 /dev/urandom > /opt/toolchain/bin/cc \
 && head -c 8000000 /dev/urandom > /opt/toolchain/lib/libcc.a
WORKDIR /src
# dependency manifest first, so editing the source keeps this layer cached
COPY deps.txt ./
RUN mkdir -p vendor && grep -v '^#' deps.txt | while read -r name kib; do \
      head -c $((kib * 1024)) /dev/urandom > vendor/$name.pkg; done
COPY src/ ./src/
RUN mkdir -p build/obj /out \
 && for f in src/*.sh; do head -c 2000000 /dev/urandom > build/obj/$(basename $f .sh).o; done \
 && cat src/lib.sh > /out/lib.sh && cp src/main.sh /out/greeter && chmod 755 /out/greeter \
 && echo 1.0.0 > /out/VERSION

FROM ${BASE} AS production
WORKDIR /app
COPY --from=builder /out/ /app/
RUN echo 'greeter:x:1000:1000::/app:/bin/false' >> /etc/passwd
USER greeter
CMD ["/app/greeter"]
