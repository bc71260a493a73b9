#!/bin/sh
# Take the deploy lock of an app on this host. Caller: deploy/lock.ts HostLock.acquire.
# $1 lock name (under the state dir's locks/), $2 owner text, $3 stale after (s), $4 wait at most (s);
# optionally then observe.sh's five arguments: once the lock is ours, the host's state follows in the
# same round trip after a line @@observe.
# mkdir is the atomic step; a lock whose heartbeat is older than $3 belongs to a killed deploy and is
# taken over (under a short second lock, so two waiters cannot both take it over) — at once when its
# holder's connection is gone (lock-hold.sh's flock is free), else once its heartbeat is older than $3.
# Prints ACQUIRED, or STALE <owner> before taking one over, or TIMEOUT <owner> and exits 3.
# shellcheck source=lib/state.sh
. ./lib/state.sh
# shellcheck source=lib/observe.sh
. ./lib/observe.sh
lock="$PT_STATE/locks/$1" owner=$2 stale=$3 timeout=$4
shift 4
mtime() { stat -c %Y "$1" 2>/dev/null || date -r "$1" +%s 2>/dev/null || echo 0; }
beat() { hb=$(mtime "$lock/heartbeat"); [ "$hb" = 0 ] && hb=$(mtime "$lock"); echo "$hb"; }
start=""
while :; do
  # Free and uncontended (the usual case) costs one mkdir; the parent is made only when missing.
  if mkdir "$lock" 2>/dev/null || { [ ! -d "${lock%/*}" ] && mkdir -p "${lock%/*}" && mkdir "$lock" 2>/dev/null; }; then
    printf '%s\n' "$owner" > "$lock/owner" && : > "$lock/heartbeat" || exit 1
    echo ACQUIRED
    break
  fi
  [ -d "${lock%/*}" ] || exit 1
  now=$(date +%s)
  [ -n "$start" ] || start=$now
  hb=$(beat)
  # A holder whose connection is gone (lock-hold.sh ended, its flock free): take over at once.
  if [ -f "$lock/alive" ] && flock -n "$lock/hold" true 2>/dev/null; then
    if mkdir "$lock.takeover" 2>/dev/null; then
      if [ -f "$lock/alive" ] && flock -n "$lock/hold" true 2>/dev/null; then
        echo "STALE $(tr '\n' ' ' < "$lock/owner" 2>/dev/null)(its connection is gone) (no heartbeat for $((now - hb))s)"
        rm -rf "$lock"
      fi
      rmdir "$lock.takeover"
      continue
    fi
  fi
  if [ "$hb" != 0 ] && [ $((now - hb)) -ge "$stale" ]; then
    if mkdir "$lock.takeover" 2>/dev/null; then
      hb=$(beat)
      if [ "$hb" != 0 ] && [ $((now - hb)) -ge "$stale" ]; then
        echo "STALE $(tr '\n' ' ' < "$lock/owner" 2>/dev/null)(no heartbeat for $((now - hb))s)"
        rm -rf "$lock"
      fi
      rmdir "$lock.takeover"
      continue
    fi
    tk=$(mtime "$lock.takeover")
    [ "$tk" != 0 ] && [ $((now - tk)) -ge 10 ] && rmdir "$lock.takeover" 2>/dev/null
  fi
  if [ $((now - start)) -ge "$timeout" ]; then
    echo "TIMEOUT $(tr '\n' ' ' < "$lock/owner" 2>/dev/null)"
    exit 3
  fi
  sleep 0.2
done
[ $# -gt 0 ] || exit 0
echo @@observe
observe "$@"
