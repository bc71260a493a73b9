#!/bin/sh
# Run a docker command on a Swarm manager with env values exported to the docker client, which
# copies each `--env NAME` from its own environment. Caller: swarm/manager.ts dockerWithEnv.
# $1 the docker binary's name, then its arguments; stdin: `export NAME='value'` lines and, with
# registry credentials, __pt_auth (a docker config.json) which lives in a private DOCKER_CONFIG for
# the one command (`--with-registry-auth` sends it on). docker is found before the values are
# exported, so an app variable named PATH cannot hide it.
__pt_docker=$(command -v "$1") || { echo "$1: not found" >&2; exit 127; }
shift
eval "$(cat)"
if [ -n "${__pt_auth:-}" ]; then
  __pt_dir=$(mktemp -d) || exit 1
  trap 'rm -rf "$__pt_dir"' EXIT
  trap 'exit 130' HUP INT TERM
  (umask 077 && printf '%s' "$__pt_auth" > "$__pt_dir/config.json") || exit 1
  export DOCKER_CONFIG="$__pt_dir"
fi
unset __pt_auth
"$__pt_docker" "$@"
