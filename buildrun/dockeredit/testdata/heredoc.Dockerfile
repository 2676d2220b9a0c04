FROM 127.0.0.1:5015/buildscope/busybox
RUN <<EOT
set -e
mkdir -p /out
exit 3
EOT
RUN echo after
