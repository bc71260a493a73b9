#!/bin/sh
# Pull an image by digest. Caller: deploy/executor.ts pull.
# $1 image ref, $2 "auth" when credentials (a docker config.json) arrive on stdin: they go into a
# private temp DOCKER_CONFIG that is removed right after, also when the pull is interrupted.
# $3 seconds the pull may take (a stalled registry must not hold the deploy and its lock): exit 124.
limit=""
[ -n "$3" ] && command -v timeout >/dev/null 2>&1 && limit="timeout $3"
# shellcheck disable=SC2086 # $limit is "timeout N" or nothing
if [ "$2" != auth ]; then exec $limit docker pull -q "$1"; fi
umask 077
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
trap 'exit 130' HUP INT TERM
cat > "$d/config.json"
# shellcheck disable=SC2086
DOCKER_CONFIG=$d $limit docker pull -q "$1"
