#!/bin/sh
echo "worker working"
