#!/bin/sh
# Refresh the heartbeat of a deploy lock, only while it is ours. Caller: deploy/lock.ts.
# $1 lock name, $2 deploy id. Exit 1 when the lock is not ours (any more).
# shellcheck source=lib/state.sh
. ./lib/state.sh
l="$PT_STATE/locks/$1"
grep -qxF "deploy-id: $2" "$l/owner" 2>/dev/null && touch "$l/heartbeat"
