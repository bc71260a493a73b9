#!/bin/sh
# Pull an image by digest. Caller: deploy/executor.ts pull.
# $1 image ref, $2 "auth" when credentials (a docker config.json) arrive on stdin: they go into a
# private temp DOCKER_CONFIG that is removed right after, also when the pull is interrupted.
if [ "$2" != auth ]; then exec docker pull -q "$1"; fi
umask 077
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
trap 'exit 130' HUP INT TERM
cat > "$d/config.json"
DOCKER_CONFIG=$d docker pull -q "$1"
