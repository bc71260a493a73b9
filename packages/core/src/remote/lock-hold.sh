#!/bin/sh
# Hold a deploy lock for as long as its holder's connection lives. Caller: deploy/lock.ts HostLock.
# $1 lock name, $2 deploy id. Prints HELD once it holds an flock on the lock's hold file and has
# written its alive file, then waits on stdin: when the runner lets go, dies, or its SSH connection
# is cut, stdin ends, this process exits and the flock is gone — lock.sh then takes the lock over at
# once instead of waiting for the heartbeat to go stale. Prints NOFLOCK (exit 0) on a host without
# flock: the heartbeat alone then tells a dead deploy.
# shellcheck source=lib/state.sh
. ./lib/state.sh
l="$PT_STATE/locks/$1"
command -v flock >/dev/null 2>&1 || { echo NOFLOCK; exit 0; }
grep -qxF "deploy-id: $2" "$l/owner" 2>/dev/null || { echo NOTOURS; exit 1; }
exec 9>>"$l/hold" || exit 1
flock -n 9 || { echo BUSY; exit 1; }
: > "$l/alive"
echo HELD
# A builtin, so no child process keeps the descriptor (and the flock) alive after us.
while read -r _; do :; done
