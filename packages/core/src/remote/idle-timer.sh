#!/bin/sh
# Blue-green's idle set: record it, then a detached timer stops it after $3 seconds — unless a
# rollback or a later deploy rewrote or removed the record meanwhile. Caller: deploy/traffic.ts keepIdle.
# $1 idle file (under the state dir), $2 deploy id, $3 seconds, then the idle containers.
# shellcheck source=lib/state.sh
. ./lib/state.sh
f="$PT_STATE/$1" id=$2 secs=$3
shift 3
mkdir -p "${f%/*}" && printf '%s\n' "$id" "$@" > "$f.tmp" && mv -f "$f.tmp" "$f" || exit 1
( sleep "$secs"; [ "$(head -n 1 "$f" 2>/dev/null)" = "$id" ] && docker stop "$@" >/dev/null 2>&1 && rm -f "$f" ) </dev/null >/dev/null 2>&1 &
exit 0
