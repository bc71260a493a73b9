#!/bin/sh
# Start the new instances in parallel, then (once every one started; same round trip) the health
# gate. Caller: deploy/executor.ts startHealthy.
# $1 N, then N `docker run -d … --env-file /dev/stdin …` command lines (each quoted for sh by
# shellCommand: eval runs exactly that command), then lib/health.sh's arguments.
# The env payload arrives on stdin (deploy/env.ts envPayload): it sets $__pt_envfile, piped to each
# docker run, and exports what an env file cannot hold; values are never in argv (ps) nor on disk.
# The start runs in a subshell, so the payload's exports stay there. Prints @@started before the
# gate's lines; nothing after a failed start.
# shellcheck source=lib/health.sh
. ./lib/health.sh
n=$1
shift
(
  __pt_envfile=""
  eval "$(cat)"
  rc=0 pids="" i=0
  for cmd; do
    [ "$i" -lt "$n" ] || break
    printf '%s' "$__pt_envfile" | eval "$cmd" >/dev/null &
    pids="$pids $!"
    i=$((i + 1))
  done
  for p in $pids; do wait "$p" || rc=1; done
  exit "$rc"
) || exit 1
shift "$n"
echo @@started
health "$@"
