#!/bin/sh
# Start stopped containers side by side (docker start takes them one after the other).
# Caller: deploy/operations.ts restartKept. Arguments: the container names.
p=""
for c; do docker start "$c" >/dev/null & p="$p $!"; done
rc=0
for j in $p; do wait "$j" || rc=1; done
exit $rc
