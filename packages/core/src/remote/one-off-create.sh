#!/bin/sh
# Create (not start) a one-off container for `powertrain run`, which then attaches to it with the
# terminal or the pipes it has. Caller: deploy/one-off.ts.
# $1 the `docker create … --env-file /dev/stdin …` command line (quoted for sh by shellCommand:
# eval runs exactly that command). The env payload arrives on stdin as for the instances
# (start-health.sh): values are never in argv nor on disk.
__pt_envfile=""
eval "$(cat)"
printf '%s' "$__pt_envfile" | eval "$1" >/dev/null
