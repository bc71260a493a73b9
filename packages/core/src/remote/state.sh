#!/bin/sh
# Small state files of an app on the host (its running canary, blue-green's idle set).
# Caller: deploy/traffic.ts (readState, writeState, removeState).
# $1 read | write | remove, $2 the file (under the state dir); write takes the content on stdin and
# renames it into place (a reader never sees half a file).
# shellcheck source=lib/state.sh
. ./lib/state.sh
f="$PT_STATE/$2"
case $1 in
read) cat "$f" 2>/dev/null; exit 0 ;;
write) mkdir -p "$PT_STATE" && cat > "$f.tmp" && mv -f "$f.tmp" "$f" ;;
remove) rm -f "$f" ;;
*) echo "state.sh: unknown operation $1" >&2; exit 2 ;;
esac
