#!/bin/sh
# Release a deploy lock, only if still ours; optionally record a history line first (one round
# trip for the end of a deploy). Caller: deploy/lock.ts HostLock.release.
# $1 lock name, $2 deploy id, optionally $3 history file and $4 the line.
# shellcheck source=lib/state.sh
. ./lib/state.sh
# shellcheck source=lib/record.sh
. ./lib/record.sh
[ -n "$3" ] && record "$3" "$4"
l="$PT_STATE/locks/$1"
grep -qxF "deploy-id: $2" "$l/owner" 2>/dev/null && rm -rf "$l"
exit 0
