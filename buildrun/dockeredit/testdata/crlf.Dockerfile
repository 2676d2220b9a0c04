FROM 127.0.0.1:5015/buildscope/busybox
RUN echo a \
  && exit 3
RUN echo b