#!/bin/sh
echo "api $(cat /app/VERSION) serving"
