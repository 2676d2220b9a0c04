#!/bin/sh
# greeter: prints a greeting for each name given, or for the world.
. /app/lib.sh
if [ $# -eq 0 ]; then set -- world; fi
for n in "$@"; do greet "$n"; done
