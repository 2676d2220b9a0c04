FROM 127.0.0.1:5015/buildscope/busybox
# build the thing
RUN mkdir -p /out \
    # a comment inside the instruction
    && echo partial > /out/p \
    && exit 3
RUN echo after
