#!/bin/sh
# Per-backend numbers out of a router's JSON access log, aggregated on the host so only a few
# hundred bytes travel. Caller: router/nginx.ts NginxRouter.metrics.
# $1 log file, $2 bytes already read (the previous call's @@offset; past the end = the log was
# replaced, read it from the start), $3 only lines logged at or after this time (unix seconds),
# $4 time slot width in seconds, $5 latency bucket growth factor (canary/histogram.ts).
# Prints @@offset (where the next call starts) and @@rows, one row per backend address, time slot
# and latency bucket: "address slot bucket attempts errors". Every attempt counts for the backend
# it went to (a request nginx retried elsewhere counts once per backend tried); an attempt is an
# error when its upstream status is 5xx (a connection failure is nginx's 502). Only lines of the
# format that router/nginx.ts writes are read: the log holds no value a client chose.
f=$1 off=$2 since=$3 slot=$4 growth=$5
if [ ! -f "$f" ]; then printf '@@offset\n0\n@@rows\n'; exit 0; fi
size=$(wc -c < "$f" | tr -d ' ')
[ "$off" -le "$size" ] 2>/dev/null || off=0
printf '@@offset\n%s\n@@rows\n' "$size"
# nginx writes each line with one write(): the size read above ends on a line boundary.
tail -c +"$((off + 1))" "$f" | head -c "$((size - off))" | awk -F'"' -v since="$since" -v slot="$slot" -v growth="$growth" '
  BEGIN { lg = log(growth) }
  $2 != "time" || $4 != "upstream" || $16 != "upstream_response_time" { next }
  {
    t = substr($3, 2) + 0
    if (t < since) next
    s = int(t / slot) * slot
    n = split($6, addr, /, | : /); split($12, st, /, | : /); split($18, rt, /, | : /)
    for (i = 1; i <= n; i++) {
      a = addr[i]
      if (a == "" || a == "-") continue
      ms = rt[i] * 1000
      b = ms < 1 ? 0 : 1 + int(log(ms) / lg)
      k = a " " s " " b
      c[k]++
      if (st[i] + 0 >= 500) e[k]++
    }
  }
  END { for (k in c) print k, c[k], e[k] + 0 }'
