#!/bin/sh
# The state of a host for one app, in one round trip. Caller: deploy/observe.ts observeHost.
# $1 app, $2 environment, $3 image ref ("none" when it does not matter), $4 history file
# (under the state dir), $5 host scope or "".
# shellcheck source=lib/state.sh
. ./lib/state.sh
# shellcheck source=lib/observe.sh
. ./lib/observe.sh
observe "$@"
