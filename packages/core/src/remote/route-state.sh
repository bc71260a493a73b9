#!/bin/sh
# The upstream set a router hook last accepted, or nothing. Caller: router/command.ts CommandRouter.current.
# $1 state file (under the state dir's routes/).
# shellcheck source=lib/state.sh
. ./lib/state.sh
cat "$PT_STATE/routes/$1" 2>/dev/null
exit 0
