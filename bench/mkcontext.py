#!/usr/bin/env python3
"""Writes the benchmarks' build context into DIR: 20,000 files of 10 kB of
random bytes (200 MB) in 200 directories, and a Dockerfile that copies
them all and runs one step over them."""
import os
import sys

root = sys.argv[1]
for d in range(200):
    os.makedirs(f"{root}/src/d{d:03}", exist_ok=True)
    for f in range(100):
        with open(f"{root}/src/d{d:03}/f{f:03}.dat", "wb") as fh:
            fh.write(os.urandom(10000))
with open(f"{root}/Dockerfile", "w") as fh:
    fh.write("FROM 127.0.0.1:5015/buildscope/busybox\nWORKDIR /app\nCOPY . .\nRUN du -s /app > /size.txt\n")
