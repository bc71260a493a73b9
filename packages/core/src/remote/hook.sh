#!/bin/sh
# Run a deploy hook: one one-off container, to its end or to its time limit. Caller: deploy/hooks.ts
# runHook.
# $1 container name, $2 time limit in seconds, $3 the `docker run -d --name $1 … --env-file
# /dev/stdin …` command line (quoted for sh by shellCommand: eval runs exactly that command),
# $4 a token that marks the outcome line. The env payload arrives on stdin as for the instances
# (start-health.sh): values are never in argv nor on disk.
# The container's output (stdout and stderr) streams to stdout; the last line on stderr is the
# outcome: `@@hook-$4 exit N`, `@@hook-$4 timeout` or `@@hook-$4 start-failed` (docker's message
# before it). The token keeps the hook's own output from posing as the outcome.
# The limit is kept by a watchdog in the background, detached from this session's pipes: past it
# the container is killed and removed, also when this script (or the deploy's connection) is gone.
# The container is removed in every case.
name=$1 limit=$2 token=$4
d=$(mktemp -d) || exit 1
wpid=""
finish() {
  [ -z "$wpid" ] || kill "$wpid" 2>/dev/null
  docker rm -f "$name" >/dev/null 2>&1
  rm -rf "$d"
}
trap finish EXIT
trap 'exit 130' HUP INT TERM
(
  # A TERM means the hook ended in time: stop the sleep with it. A hang-up of the session does not.
  trap '' HUP
  trap 'kill "$s" 2>/dev/null; exit 0' TERM
  sleep "$limit" &
  s=$!
  wait "$s" || exit 0
  : >"$d/timeout"
  docker rm -f "$name" >/dev/null 2>&1
) </dev/null >/dev/null 2>&1 &
wpid=$!
(
  __pt_envfile=""
  eval "$(cat)"
  printf '%s' "$__pt_envfile" | eval "$3" >/dev/null
) || { echo "@@hook-$token start-failed" >&2; exit 1; }
docker logs -f "$name" 2>&1 &
lpid=$!
code=$(docker wait "$name" 2>/dev/null)
wait "$lpid"
if [ -e "$d/timeout" ]; then echo "@@hook-$token timeout" >&2; exit 0; fi
echo "@@hook-$token exit ${code:-255}" >&2
