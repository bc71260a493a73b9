#!/bin/sh
# Can this nginx be driven? Caller: router/nginx.ts NginxRouter.check.
# $1 upstream file, $2 nginx binary, $3 main config: the directory is writable and the
# configuration valid; exit 3 with the reason otherwise.
f=$1 nginx=$2 conf=$3
dir=${f%/*}
mkdir -p "$dir" 2>/dev/null
if [ ! -w "$dir" ]; then echo "cannot write $dir"; exit 3; fi
if ! command -v "$nginx" >/dev/null 2>&1; then echo "$nginx is not installed or not on PATH"; exit 3; fi
if [ -n "$conf" ]; then out=$("$nginx" -t -q -c "$conf" 2>&1); else out=$("$nginx" -t -q 2>&1); fi || {
  printf '%s\n' "$out"; exit 3; }
exit 0
